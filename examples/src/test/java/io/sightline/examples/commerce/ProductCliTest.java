package io.sightline.examples.commerce;

import io.sightline.examples.CliRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.core.image.Distortions;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import io.sightline.examples.SightlineCli;
import io.sightline.examples.cli.CliSupport;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code product index --matcher local} then {@code product search} end to end, on bundled clipart
 * (catalog) and new shots of it (the product scaled 0.6, rotated 20°, pasted on a crop of a photo,
 * JPEG). The intent model is trained with the query shots among its product samples, so the gate
 * lets them through: the gate is not what this test checks.
 */
class ProductCliTest {
  static final Path TESTDATA = Path.of("../testdata").toAbsolutePath().normalize();
  static final ImageLoader LOADER = ImageLoader.defaults();

  static CliRun run(String... args) {
    return CliRun.of(args);
  }

  /** The product (alpha kept) scaled, rotated and pasted at the centre of a photo crop, JPEG 0.8. */
  static BufferedImage shot(Path product, String photo, double scale, double degrees) {
    BufferedImage p = LOADER.load(TESTDATA.resolve("photos").resolve(photo));
    int side = Math.min(p.getWidth(), p.getHeight()) - 40;
    BufferedImage bg = ImageOps.toRgb(ImageOps.resize(ImageOps.crop(p, 20, 20, side, side * 11 / 13), 520, 440));
    BufferedImage raw = LOADER.loadRaw(product);
    BufferedImage argb = new BufferedImage(raw.getWidth(), raw.getHeight(), BufferedImage.TYPE_INT_ARGB);
    Graphics2D g0 = argb.createGraphics();
    g0.drawImage(raw, 0, 0, null);
    g0.dispose();
    Graphics2D g = bg.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    AffineTransform t = new AffineTransform();
    t.translate(260, 220);
    t.rotate(Math.toRadians(degrees));
    t.scale(scale, scale);
    t.translate(-argb.getWidth() / 2.0, -argb.getHeight() / 2.0);
    g.drawImage(argb, t, null);
    g.dispose();
    return Distortions.jpeg(bg, 0.8f);
  }

  static Path copy(String clipart, Path dir) throws Exception {
    Path from = TESTDATA.resolve("clipart").resolve(clipart);
    Path to = dir.resolve("img").resolve(from.getFileName());
    Files.createDirectories(to.getParent());
    return Files.copy(from, to);
  }

  @Test
  void localCatalogFindsANewShotWithEvidenceAndSaysWhenNoProductIsInThePhoto(@TempDir Path dir) throws Exception {
    String[] products = {"buildings/homes/home3.png", "animals/mammals/big_cats/leone_02_architetto_fran_01.png",
        "office/stappler.png", "recreation/games/pacman_yet_another__paul_01.png"};
    String[] ids = {"house", "lion", "stapler", "pacman"};
    StringBuilder catalog = new StringBuilder("id,image,category,title,link\n");
    for (int i = 0; i < products.length; i++) {
      Path img = copy(products[i], dir);
      catalog.append(ids[i]).append(",img/").append(img.getFileName()).append(",toys,").append(ids[i])
          .append(",https://shop.example/").append(ids[i]).append('\n');
    }
    Files.writeString(dir.resolve("catalog.csv"), catalog);
    Path q = Files.createDirectories(dir.resolve("q"));
    Path houseShot = q.resolve("house-shot.jpg");
    ImageIO.write(shot(TESTDATA.resolve("clipart").resolve(products[0]), "astronaut.png", 0.6, 20), "jpg",
        houseShot.toFile());
    Path tulipsShot = q.resolve("tulips-shot.jpg");
    ImageIO.write(shot(TESTDATA.resolve("clipart/plants/tulips_ganson.png"), "chelsea.png", 0.6, 15), "jpg",
        tulipsShot.toFile());
    Path lionShot = q.resolve("lion-shot.jpg");
    ImageIO.write(shot(TESTDATA.resolve("clipart").resolve(products[1]), "coffee.png", 0.6, -20), "jpg",
        lionShot.toFile());
    StringBuilder intent = new StringBuilder("image,intent\n");
    for (String photo : new String[] {"astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg"}) {
      BufferedImage p = LOADER.load(TESTDATA.resolve("photos").resolve(photo));
      Path crop = q.resolve("photo-" + photo.replace('.', '-') + ".jpg");
      ImageIO.write(ImageOps.crop(p, 0, 0, p.getWidth() * 3 / 4, p.getHeight() * 3 / 4), "jpg", crop.toFile());
      intent.append("q/").append(crop.getFileName()).append(",non-commodity\n");
    }
    for (Path s : new Path[] {houseShot, tulipsShot, lionShot}) {
      intent.append("q/").append(s.getFileName()).append(",other-commodity\n");
    }
    Files.writeString(dir.resolve("intent.csv"), intent);
    CliRun t = run("product", "train-intent", "--samples", dir.resolve("intent.csv").toString(), "--out",
        dir.resolve("intent.model").toString());
    assertThat(t.code()).as(t.err()).isZero();

    Path db = dir.resolve("db");
    CliRun idx = run("product", "index", "--catalog", dir.resolve("catalog.csv").toString(), "--db", db.toString(),
        "--matcher", "local", "--intent-model", dir.resolve("intent.model").toString());
    assertThat(idx.code()).as(idx.err()).isZero();
    JsonNode report = CliSupport.JSON.readTree(idx.out().strip());
    assertThat(report.get("indexed").asInt()).isEqualTo(4);
    assertThat(report.get("matcher").asText()).isEqualTo("local");
    assertThat(report.get("withoutLocalFeatures")).isEmpty();
    assertThat(db.resolve("instances-other-commodity")).isDirectory();

    // search takes the matcher from the catalog
    CliRun s = run("product", "search", "--db", db.toString(), houseShot.toString(), tulipsShot.toString(),
        lionShot.toString());
    assertThat(s.code()).as(s.err()).isZero();
    String[] lines = s.out().strip().split("\n");
    assertThat(lines).hasSize(3);
    JsonNode house = CliSupport.JSON.readTree(lines[0]);
    assertThat(house.get("searched").asBoolean()).as(lines[0]).isTrue();
    assertThat(house.get("matcher").asText()).isEqualTo("local");
    assertThat(house.get("note").isNull()).isTrue();
    JsonNode top = house.at("/regions/0/results/0");
    assertThat(top.get("id").asText()).as(lines[0]).isEqualTo("house");
    assertThat(top.get("link").asText()).isEqualTo("https://shop.example/house");
    assertThat(top.get("verified").asBoolean()).isTrue();
    assertThat(top.get("inliers").asInt()).isGreaterThanOrEqualTo(15);
    assertThat(top.get("instanceScore").asDouble()).isGreaterThan(0.9);
    assertThat(top.get("score").asDouble()).isEqualTo(Math.round(2 * top.get("instanceScore").asDouble() * 1e4) / 1e4,
        org.assertj.core.data.Offset.offset(2e-4));
    assertThat(top.get("distance").isNull()).isTrue();
    assertThat(top.get("queryRegion")).hasSize(4);
    for (JsonNode r : house.at("/regions/0/results")) {
      assertThat(r.get("verified").asBoolean()).isTrue();
    }
    JsonNode lion = CliSupport.JSON.readTree(lines[2]);
    assertThat(lion.at("/regions/0/results/0/id").asText()).as(lines[2]).isEqualTo("lion");
    JsonNode tulips = CliSupport.JSON.readTree(lines[1]);
    assertThat(tulips.get("searched").asBoolean()).as(lines[1]).isTrue();
    assertThat(tulips.at("/regions/0/results")).isEmpty();
    assertThat(tulips.get("note").asText()).startsWith("no product of this catalog is in the photo");
    assertThat(s.err()).contains("matcher local");

    // the stored matcher cannot be switched on a filled catalog; a bad name is a usage error
    CliRun again = run("product", "index", "--catalog", dir.resolve("catalog.csv").toString(), "--db", db.toString(),
        "--matcher", "global");
    assertThat(again.code()).isEqualTo(CliSupport.FAILURE);
    assertThat(again.err()).contains("'local' matcher");
    CliRun bad = run("product", "index", "--catalog", dir.resolve("catalog.csv").toString(), "--db",
        dir.resolve("db2").toString(), "--matcher", "fuzzy");
    assertThat(bad.code()).isEqualTo(CliSupport.USAGE);
    assertThat(bad.err()).contains("unknown matcher 'fuzzy'");
  }
}
