package io.sightline.examples.commerce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.examples.CliRun;
import io.sightline.examples.cli.CliSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code product sync}, {@code product remove} and the shop options of {@code product search}
 * (filter presets and their explanations, attribute filters, pages, gate off / fixed intent), end
 * to end on their JSON output, on bundled clipart.
 */
class ProductShopCliTest {
  static final String HEADER = "id,image,category,title,link,price,brand\n";

  static JsonNode json(CliRun r) throws Exception {
    assertThat(r.code()).as(r.err()).isZero();
    return CliSupport.JSON.readTree(r.out().strip().split("\n")[0]);
  }

  static List<String> ids(JsonNode results) {
    List<String> out = new ArrayList<>();
    results.forEach(n -> out.add(n.get("id").asText()));
    return out;
  }

  /**
   * Four bundled drawings copied to {@code dir/img} and a {@code dir/catalog.csv} with price and
   * brand columns: house (toys, 25, acme), lion (toys, 9, acme), stapler (office, 4), pacman (toys, 12, retro).
   *
   * @return the catalog file
   */
  static Path shopCatalog(Path dir) throws Exception {
    String[] files = {"buildings/homes/home3.png", "animals/mammals/big_cats/leone_02_architetto_fran_01.png",
        "office/stappler.png", "recreation/games/pacman_yet_another__paul_01.png"};
    for (String f : files) {
      ProductCliTest.copy(f, dir);
    }
    Path csv = dir.resolve("catalog.csv");
    Files.writeString(csv, HEADER + "house,img/home3.png,toys,House,,25,acme\n"
        + "lion,img/leone_02_architetto_fran_01.png,toys,Lion,,9,acme\n" + "stapler,img/stappler.png,office,Stapler,,4,\n"
        + "pacman,img/pacman_yet_another__paul_01.png,toys,Pacman,,12,retro\n");
    return csv;
  }

  @Test
  void syncSearchWithExplanationsFiltersPagesThenRemove(@TempDir Path dir) throws Exception {
    Path csv = shopCatalog(dir);
    Path db = dir.resolve("db");
    JsonNode sync = json(ProductCliTest.run("product", "sync", "--catalog", csv.toString(), "--db", db.toString(),
        "--matcher", "global"));
    assertThat(sync.get("added")).hasSize(4);
    assertThat(sync.get("removed")).isEmpty();
    assertThat(sync.get("catalogSize").asInt()).isEqualTo(4);
    assertThat(sync.get("matcher").asText()).isEqualTo("global");

    String stapler = dir.resolve("img/stappler.png").toString();
    // the seed's entropy rule at 1.0 nats drops the one office product, the exact match included
    JsonNode seed = json(ProductCliTest.run("product", "search", "--db", db.toString(), "--intent", "other-commodity",
        "--filters", "seed", "--entropy-threshold", "1.0", stapler));
    assertThat(seed.at("/gate/mode").asText()).isEqualTo("fixed");
    assertThat(seed.at("/gate/segments/0").asText()).isEqualTo("other-commodity");
    assertThat(ids(seed.at("/regions/0/results"))).doesNotContain("stapler");
    JsonNode dropped = seed.at("/regions/0/removed/entropy/0");
    assertThat(dropped.get("id").asText()).isEqualTo("stapler");
    assertThat(dropped.get("reason").asText()).isEqualTo("category 'office' entropy 1.386 > 1.000");
    // calibrated: the same rule, but the best match is pinned and stays first
    JsonNode cal = json(ProductCliTest.run("product", "search", "--db", db.toString(), "--intent", "other-commodity",
        "--entropy-threshold", "1.0", "--max-distance", "2", stapler));
    assertThat(cal.at("/regions/0/results/0/id").asText()).isEqualTo("stapler");
    assertThat(cal.at("/regions/0/filters/pinned/0").asText()).isEqualTo("stapler");
    assertThat(cal.at("/regions/0/removed/entropy")).isEmpty();
    // a rank threshold: what it removed, in cosine units
    JsonNode strict = json(ProductCliTest.run("product", "search", "--db", db.toString(), "--intent", "other-commodity",
        "--filters", "none", "--rank-threshold", "1.999", stapler));
    assertThat(strict.at("/regions/0/removed/rank")).hasSize(3);
    assertThat(strict.at("/regions/0/removed/rank/0/reason").asText()).startsWith("cosine similarity ");

    // attribute filters and pages
    JsonNode cheap = json(ProductCliTest.run("product", "search", "--db", db.toString(), "--intent", "other-commodity",
        "--filters", "none", "--where", "price<=10", stapler));
    assertThat(ids(cheap.at("/regions/0/results"))).containsExactlyInAnyOrder("stapler", "lion");
    JsonNode acmeCheap = json(ProductCliTest.run("product", "search", "--db", db.toString(), "--intent",
        "other-commodity", "--filters", "none", "--where", "brand=acme", "--where", "price<20", stapler));
    assertThat(ids(acmeCheap.at("/regions/0/results"))).containsExactly("lion");
    JsonNode page1 = json(ProductCliTest.run("product", "search", "--db", db.toString(), "--intent", "other-commodity",
        "--filters", "none", "--limit", "2", stapler));
    JsonNode page2 = json(ProductCliTest.run("product", "search", "--db", db.toString(), "--intent", "other-commodity",
        "--filters", "none", "--offset", "2", "--limit", "2", stapler));
    assertThat(page1.at("/regions/0/results")).hasSize(2);
    assertThat(page2.at("/regions/0/results")).hasSize(2);
    assertThat(page2.at("/regions/0/filters/offset").asInt()).isEqualTo(2);
    assertThat(page2.at("/regions/0/filters/total").asInt()).isEqualTo(4);
    List<String> both = new ArrayList<>(ids(page1.at("/regions/0/results")));
    both.addAll(ids(page2.at("/regions/0/results")));
    assertThat(both).containsExactlyInAnyOrder("house", "lion", "stapler", "pacman");

    // no gate: both segments searched, no intent model needed
    JsonNode off = json(ProductCliTest.run("product", "search", "--db", db.toString(), "--no-gate", stapler));
    assertThat(off.at("/gate/mode").asText()).isEqualTo("off");
    assertThat(off.get("intent").asText()).isEqualTo("commodity");
    assertThat(off.get("regions").findValuesAsText("segment")).contains("apparel", "other-commodity");
    // the gate without a model is refused with a way out
    CliRun gated = ProductCliTest.run("product", "search", "--db", db.toString(), stapler);
    assertThat(gated.code()).isEqualTo(CliSupport.FAILURE);
    assertThat(gated.err()).contains("--no-gate");

    // sync to a new file: lion's price changes, pacman is gone
    Files.writeString(csv, HEADER + "house,img/home3.png,toys,House,,25,acme\n"
        + "lion,img/leone_02_architetto_fran_01.png,toys,Lion,,11,acme\n" + "stapler,img/stappler.png,office,Stapler,,4,\n");
    JsonNode next = json(ProductCliTest.run("product", "sync", "--catalog", csv.toString(), "--db", db.toString()));
    assertThat(next.get("added")).isEmpty();
    assertThat(ids2(next.get("updated"))).containsExactly("lion");
    assertThat(next.get("unchanged").asInt()).isEqualTo(2);
    assertThat(ids2(next.get("removed"))).containsExactly("pacman");
    assertThat(next.get("catalogSize").asInt()).isEqualTo(3);

    JsonNode rm = json(ProductCliTest.run("product", "remove", "--db", db.toString(), "house", "nope"));
    assertThat(ids2(rm.get("removed"))).containsExactly("house");
    assertThat(ids2(rm.get("notFound"))).containsExactly("nope");
    assertThat(rm.get("catalogSize").asInt()).isEqualTo(2);
    JsonNode after = json(ProductCliTest.run("product", "search", "--db", db.toString(), "--intent", "other-commodity",
        "--filters", "none", stapler));
    assertThat(ids(after.at("/regions/0/results"))).containsExactlyInAnyOrder("stapler", "lion");
  }

  static List<String> ids2(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void badShopOptionsAreUsageErrors(@TempDir Path dir) throws Exception {
    String photo = ProductCliTest.TESTDATA.resolve("photos/astronaut.png").toString();
    String db = dir.resolve("none").toString();
    String[][] bad = {{"--where", "price<=cheap"}, {"--where", "price"}, {"--filters", "strict"},
        {"--no-gate", "--intent", "apparel"}, {"--intent", "non-commodity"}, {"--offset", "-1"}, {"--limit", "0"},
        {"--gate-margin", "2"}, {"--max-distance", "3"}};
    for (String[] opts : bad) {
      List<String> args = new ArrayList<>(List.of("product", "search", "--db", db));
      args.addAll(List.of(opts));
      args.add(photo);
      CliRun r = ProductCliTest.run(args.toArray(String[]::new));
      assertThat(r.code()).as(String.join(" ", opts) + ": " + r.err()).isEqualTo(CliSupport.USAGE);
    }
    CliRun noCatalog = ProductCliTest.run("product", "remove", "--db", db, "x");
    // a --db folder that does not exist is a usage error, as in every command
    assertThat(noCatalog.code()).isEqualTo(CliSupport.USAGE);
    assertThat(noCatalog.err()).contains("no such folder").contains("sightline product index");
    assertThat(dir.resolve("none")).doesNotExist();
  }

  @Test
  void aCatalogBuiltWithMainObjectCropsQueriesAlike(@TempDir Path dir) throws Exception {
    ProductCliTest.copy("office/stappler.png", dir);
    ProductCliTest.copy("buildings/homes/home3.png", dir);
    Path csv = Files.writeString(dir.resolve("catalog.csv"), HEADER + "stapler,img/stappler.png,office,,,4,\n"
        + "house,img/home3.png,toys,,,25,\n");
    Path db = dir.resolve("db");
    JsonNode idx = json(ProductCliTest.run("product", "index", "--catalog", csv.toString(), "--db", db.toString(),
        "--matcher", "global", "--crop-main-object"));
    assertThat(idx.get("cropMainObject").asBoolean()).isTrue();
    JsonNode r = json(ProductCliTest.run("product", "search", "--db", db.toString(), "--intent", "other-commodity",
        dir.resolve("img/stappler.png").toString()));
    assertThat(r.get("regionSource").asText()).endsWith("(main object)");
    assertThat(r.at("/regions/0/results/0/id").asText()).isEqualTo("stapler");
    assertThat(r.at("/regions/0/results/0/distance").asDouble()).isLessThan(1e-3);
    JsonNode sync = json(ProductCliTest.run("product", "sync", "--catalog", csv.toString(), "--db", db.toString()));
    assertThat(sync.get("cropMainObject").asBoolean()).isTrue();
    assertThat(sync.get("unchanged").asInt()).isEqualTo(2);
  }
}
