package io.sightline.examples.commerce;

import static io.sightline.examples.commerce.ProductShopCliTest.HEADER;
import static io.sightline.examples.commerce.ProductShopCliTest.ids;
import static io.sightline.examples.commerce.ProductShopCliTest.ids2;
import static io.sightline.examples.commerce.ProductShopCliTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code product sync --vector-index} keeps the catalog's vectors in on-disk Lucene indexes
 * (DB/vectors/&lt;segment&gt;) instead of HNSW files; search, remove and later syncs use them and
 * answer as a catalog on the default files does.
 */
class ProductVectorIndexCliTest {

  @Test
  void aCatalogOnLuceneAnswersAsOneOnHnswFilesAndKeepsUsingItsIndexes(@TempDir Path dir) throws Exception {
    Path csv = ProductShopCliTest.shopCatalog(dir);
    Path lucene = dir.resolve("lucene");
    Path files0 = dir.resolve("files");
    JsonNode made = json(ProductCliTest.run("product", "sync", "--catalog", csv.toString(), "--db", lucene.toString(),
        "--matcher", "global", "--vector-index"));
    JsonNode plain = json(ProductCliTest.run("product", "sync", "--catalog", csv.toString(), "--db",
        files0.toString(), "--matcher", "global"));
    assertThat(made.get("vectorIndex").asText()).isEqualTo(lucene.resolve("vectors").toString());
    assertThat(plain.get("vectorIndex").isNull()).isTrue();
    assertThat(lucene.resolve("vectors/other-commodity")).isDirectory();
    assertThat(lucene.resolve("other-commodity.hnsw")).doesNotExist();
    assertThat(files0.resolve("other-commodity.hnsw")).exists();

    for (String f : new String[] {"img/stappler.png", "img/home3.png"}) {
      String image = dir.resolve(f).toString();
      io.sightline.examples.CliRun onLucene = ProductCliTest.run("product", "search", "--db", lucene.toString(),
          "--intent", "other-commodity", "--filters", "none", image);
      // searched on the Lucene index itself, not on a copy built in memory from the database
      assertThat(onLucene.err()).doesNotContain("building the index in memory");
      JsonNode a = json(onLucene);
      JsonNode b = json(ProductCliTest.run("product", "search", "--db", files0.toString(), "--intent",
          "other-commodity", "--filters", "none", image));
      assertThat(ids(a.at("/regions/0/results"))).hasSize(4).containsExactlyElementsOf(ids(b.at("/regions/0/results")));
      assertThat(a.at("/regions/0/results/0/distance").asDouble())
          .isCloseTo(b.at("/regions/0/results/0/distance").asDouble(), org.assertj.core.data.Offset.offset(1e-5));
    }

    // later commands find the indexes without being told
    JsonNode rm = json(ProductCliTest.run("product", "remove", "--db", lucene.toString(), "house"));
    assertThat(ids2(rm.get("removed"))).containsExactly("house");
    Files.writeString(csv, HEADER + "lion,img/leone_02_architetto_fran_01.png,toys,Lion,,11,acme\n"
        + "stapler,img/stappler.png,office,Stapler,,4,\n");
    JsonNode next = json(ProductCliTest.run("product", "sync", "--catalog", csv.toString(), "--db", lucene.toString()));
    assertThat(next.get("vectorIndex").asText()).isEqualTo(lucene.resolve("vectors").toString());
    assertThat(ids2(next.get("removed"))).containsExactly("pacman");
    assertThat(lucene.resolve("other-commodity.hnsw")).doesNotExist();
    JsonNode after = json(ProductCliTest.run("product", "search", "--db", lucene.toString(), "--intent",
        "other-commodity", "--filters", "none", "--where", "price>10", dir.resolve("img/stappler.png").toString()));
    assertThat(ids(after.at("/regions/0/results"))).containsExactly("lion");
  }
}
