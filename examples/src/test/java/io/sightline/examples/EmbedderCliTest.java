package io.sightline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.core.onnx.OnnxModelWriter;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --embedder FILE.onnx --preset NAME} end to end: a store is built with a small generated
 * ONNX image model, the model is recorded in the store folder ({@code embedder.json}), query
 * commands use it without being told (same output as when told), and options naming another
 * embedder, a changed or removed model file, and usage errors are refused.
 */
class EmbedderCliTest {
  static final Path DATA = Path.of("../testdata").toAbsolutePath().normalize();

  @TempDir
  Path tmp;

  /**
   * A colour-layout embedder for 224x224 NCHW input (what the torchvision-imagenet preset gives):
   * the mean of each channel over a {@code cells x cells} grid, output {@code grid [N, 3·cells²]};
   * a second output {@code pooled [N,3]} holds the channel means.
   */
  static Path model(Path file, int cells) throws Exception {
    int k = 224 / cells;
    return OnnxModelWriter.create(13)
        .input("pixels", OnnxModelWriter.FLOAT, "N", 3, 224, 224)
        .node("AveragePool", new String[] {"pixels"}, new String[] {"cells"},
            OnnxModelWriter.intsAttr("kernel_shape", k, k), OnnxModelWriter.intsAttr("strides", k, k))
        .node("Flatten", new String[] {"cells"}, new String[] {"grid"}, OnnxModelWriter.intAttr("axis", 1))
        .node("GlobalAveragePool", new String[] {"pixels"}, new String[] {"gap"})
        .node("Flatten", new String[] {"gap"}, new String[] {"pooled"}, OnnxModelWriter.intAttr("axis", 1))
        .output("grid", OnnxModelWriter.FLOAT, "N", 3 * cells * cells)
        .output("pooled", OnnxModelWriter.FLOAT, "N", 3)
        .write(file);
  }

  private Path refs() throws Exception {
    Map<String, String[]> refs = new TreeMap<>(Map.of(
        "astronaut", new String[] {"photos/astronaut.png", "Astronaut Eileen Collins", "A portrait of Eileen Collins."},
        "chelsea", new String[] {"photos/chelsea.png", "Chelsea the cat", "Chelsea sits on the floor."},
        "coffee", new String[] {"photos/coffee.png", "A cup of espresso", "Espresso in a white cup."},
        "rocket", new String[] {"photos/rocket.jpg", "Rocket launch", "A rocket launch at dawn."}));
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String[]> e : refs.entrySet()) {
      String[] v = e.getValue();
      Path img = tmp.resolve("refs").resolve(Path.of(v[0]).getFileName());
      Files.createDirectories(img.getParent());
      Files.copy(DATA.resolve(v[0]), img);
      sb.append(CliSupport.JSON.writeValueAsString(Map.of("id", e.getKey(), "image", img.getFileName().toString(),
          "title", v[1] + " | test page", "text", "Generated test page. " + v[2]))).append('\n');
    }
    Files.writeString(tmp.resolve("names.txt"), "Eileen Collins\nChelsea\nespresso\nrocket launch\n",
        StandardCharsets.UTF_8);
    return Files.writeString(tmp.resolve("refs/refs.jsonl"), sb, StandardCharsets.UTF_8);
  }

  @Test
  void describeStoreRecordsItsOnnxEmbedderAndQueriesUseItWithoutBeingTold() throws Exception {
    Path model = model(tmp.resolve("models/colour-grid.onnx"), 4);
    Path refs = refs();
    Path db = tmp.resolve("db");
    String[] opts = {"--embedder", model.toString(), "--preset", "torchvision-imagenet"};

    CliRun index = CliRun.of(concat(new String[] {"describe", "index", "--refs", refs.toString(), "--db",
        db.toString(), "--dictionary", tmp.resolve("names.txt").toString(), "--matcher", "global"}, opts));
    assertThat(index.code()).as(index.err()).isZero();
    JsonNode summary = index.lines().get(0);
    assertThat(summary.get("references").asInt()).isEqualTo(4);
    assertThat(summary.get("embedder").asText()).startsWith("onnx:colour-grid.onnx@sha256:");

    JsonNode rec = CliSupport.JSON.readTree(db.resolve(EmbedderRecord.FILE_NAME).toFile());
    assertThat(rec.get("kind").asText()).isEqualTo("onnx");
    assertThat(rec.get("model").asText()).isEqualTo(model.toAbsolutePath().toString());
    assertThat(rec.get("sha256").asText()).isEqualTo(EmbedderRecord.sha256(model)).hasSize(64);
    assertThat(rec.get("preset").asText()).isEqualTo("torchvision-imagenet");
    assertThat(rec.get("output").isNull()).isTrue();
    assertThat(rec.get("id").asText()).isEqualTo(summary.get("embedder").asText());
    assertThat(rec.get("dimension").asInt()).isEqualTo(48);
    assertThat(rec.get("preprocessing").asText()).contains("224");

    String astronaut = tmp.resolve("refs/astronaut.png").toString();
    String coffee = tmp.resolve("refs/coffee.png").toString();
    CliRun untold = CliRun.of("describe", "query", "--db", db.toString(), astronaut, coffee);
    assertThat(untold.code()).as(untold.err()).isZero();
    List<JsonNode> lines = untold.lines();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).at("/matches/0/id").asText()).as(untold.out()).isEqualTo("astronaut");
    assertThat(lines.get(0).at("/matches/0/similarity").asDouble()).isGreaterThan(0.999);
    assertThat(lines.get(0).at("/best/name").asText()).isEqualTo("Eileen Collins");
    assertThat(lines.get(1).at("/matches/0/id").asText()).isEqualTo("coffee");

    CliRun told = CliRun.of(concat(new String[] {"describe", "query", "--db", db.toString()}, opts, astronaut, coffee));
    assertThat(told.code()).as(told.err()).isZero();
    assertThat(told.out()).isEqualTo(untold.out());

    // another preset, another model, the default: refused with what the store was built with
    CliRun otherPreset = CliRun.of("describe", "query", "--db", db.toString(), "--embedder", model.toString(),
        "--preset", "clip", astronaut);
    assertThat(otherPreset.code()).as(otherPreset.err()).isEqualTo(1);
    assertThat(otherPreset.out()).isEmpty();
    assertThat(otherPreset.err()).contains("was built with --embedder " + model.toAbsolutePath())
        .contains("--preset torchvision-imagenet").contains("asks for").contains("--preset clip");
    Path other = model(tmp.resolve("models/coarse.onnx"), 2);
    CliRun otherModel = CliRun.of("describe", "query", "--db", db.toString(), "--embedder", other.toString(),
        "--preset", "torchvision-imagenet", astronaut);
    assertThat(otherModel.code()).isEqualTo(1);
    assertThat(otherModel.err()).contains("coarse.onnx").contains("colour-grid.onnx");
    CliRun otherOutput = CliRun.of(concat(new String[] {"describe", "query", "--db", db.toString()}, opts,
        "--embedder-output", "pooled", astronaut));
    assertThat(otherOutput.code()).isEqualTo(1);
    assertThat(otherOutput.err()).contains("--embedder-output pooled");

    // usage errors: exit code 2
    CliRun noPreset = CliRun.of("describe", "query", "--db", db.toString(), "--embedder", model.toString(), astronaut);
    assertThat(noPreset.code()).isEqualTo(2);
    assertThat(noPreset.err()).contains("--embedder needs --preset");
    CliRun presetOnly = CliRun.of("describe", "query", "--db", db.toString(), "--preset", "clip", astronaut);
    assertThat(presetOnly.code()).isEqualTo(2);
    CliRun unknownPreset = CliRun.of("describe", "index", "--refs", refs.toString(), "--db",
        tmp.resolve("db2").toString(), "--embedder", model.toString(), "--preset", "resnet");
    assertThat(unknownPreset.code()).isEqualTo(2);
    assertThat(unknownPreset.err()).contains("unknown preset 'resnet'").contains("torchvision-imagenet");
    assertThat(tmp.resolve("db2")).doesNotExist();

    // a broken model file: exit code 1 with the model error
    Path broken = Files.writeString(tmp.resolve("models/broken.onnx"), "not a model");
    CliRun bad = CliRun.of("describe", "index", "--refs", refs.toString(), "--db", tmp.resolve("db3").toString(),
        "--embedder", broken.toString(), "--preset", "clip");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).contains("sightline: describe index: ").contains("broken.onnx");

    // the recorded model changed, then gone: refused
    Path saved = Files.copy(model, tmp.resolve("saved.onnx"));
    model(model, 2);
    CliRun changed = CliRun.of("describe", "query", "--db", db.toString(), astronaut);
    assertThat(changed.code()).isEqualTo(1);
    assertThat(changed.err()).contains("has changed since");
    Files.delete(model);
    CliRun gone = CliRun.of("describe", "query", "--db", db.toString(), astronaut);
    assertThat(gone.code()).isEqualTo(1);
    assertThat(gone.err()).contains("gone").contains(model.toAbsolutePath().toString());
    Files.copy(saved, model);
    CliRun back = CliRun.of("describe", "query", "--db", db.toString(), astronaut, coffee);
    assertThat(back.code()).as(back.err()).isZero();
    assertThat(back.out()).isEqualTo(untold.out());
  }

  @Test
  void defaultStoreIsRecordedAndRefusesAnOnnxEmbedderOnQuery() throws Exception {
    Path model = model(tmp.resolve("m.onnx"), 4);
    Path refs = refs();
    Path db = tmp.resolve("db");
    CliRun index = CliRun.of("describe", "index", "--refs", refs.toString(), "--db", db.toString(), "--dictionary",
        tmp.resolve("names.txt").toString(), "--matcher", "global");
    assertThat(index.code()).as(index.err()).isZero();
    JsonNode rec = CliSupport.JSON.readTree(db.resolve(EmbedderRecord.FILE_NAME).toFile());
    assertThat(rec.get("kind").asText()).isEqualTo("default");
    CliRun q = CliRun.of("describe", "query", "--db", db.toString(), "--embedder", model.toString(), "--preset",
        "clip", tmp.resolve("refs/coffee.png").toString());
    assertThat(q.code()).isEqualTo(1);
    assertThat(q.err()).contains("was built with the default embedder").contains("--preset clip");
  }

  @Test
  void productCatalogRecordsItsOnnxEmbedderAndSearchUsesItWithoutBeingTold() throws Exception {
    Path model = model(tmp.resolve("models/colour-grid.onnx"), 4);
    String[] opts = {"--embedder", model.toString(), "--preset", "torchvision-imagenet"};
    String[] products = {"buildings/homes/home3.png", "animals/mammals/big_cats/leone_02_architetto_fran_01.png",
        "office/stappler.png", "recreation/games/pacman_yet_another__paul_01.png"};
    String[] ids = {"house", "lion", "stapler", "pacman"};
    StringBuilder catalog = new StringBuilder("id,image,category,title,link\n");
    StringBuilder intent = new StringBuilder("image,intent\n");
    Path img = Files.createDirectories(tmp.resolve("img"));
    for (int i = 0; i < products.length; i++) {
      Path p = Files.copy(DATA.resolve("clipart").resolve(products[i]), img.resolve(ids[i] + ".png"));
      catalog.append(ids[i]).append(",img/").append(p.getFileName()).append(",toys,").append(ids[i])
          .append(",https://shop.example/").append(ids[i]).append('\n');
      intent.append("img/").append(p.getFileName()).append(",other-commodity\n");
    }
    for (String photo : new String[] {"astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg"}) {
      Path p = Files.copy(DATA.resolve("photos").resolve(photo), img.resolve(photo));
      intent.append("img/").append(p.getFileName()).append(",non-commodity\n");
    }
    Files.writeString(tmp.resolve("catalog.csv"), catalog);
    Files.writeString(tmp.resolve("intent.csv"), intent);

    CliRun train = CliRun.of(concat(new String[] {"product", "train-intent", "--samples",
        tmp.resolve("intent.csv").toString(), "--out", tmp.resolve("intent.model").toString()}, opts));
    assertThat(train.code()).as(train.err()).isZero();
    Path db = tmp.resolve("db");
    CliRun index = CliRun.of(concat(new String[] {"product", "index", "--catalog", tmp.resolve("catalog.csv").toString(),
        "--db", db.toString(), "--matcher", "global", "--intent-model", tmp.resolve("intent.model").toString()}, opts));
    assertThat(index.code()).as(index.err()).isZero();
    JsonNode report = index.lines().get(0);
    assertThat(report.get("indexed").asInt()).isEqualTo(4);
    assertThat(report.get("embedder").asText()).startsWith("onnx:colour-grid.onnx@sha256:");
    JsonNode rec = CliSupport.JSON.readTree(db.resolve(EmbedderRecord.FILE_NAME).toFile());
    assertThat(rec.get("preset").asText()).isEqualTo("torchvision-imagenet");
    assertThat(rec.get("sha256").asText()).isEqualTo(EmbedderRecord.sha256(model));

    String house = img.resolve("house.png").toString();
    String pacman = img.resolve("pacman.png").toString();
    CliRun untold = CliRun.of("product", "search", "--db", db.toString(), house, pacman);
    assertThat(untold.code()).as(untold.err()).isZero();
    List<JsonNode> lines = untold.lines();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).get("searched").asBoolean()).as(untold.out()).isTrue();
    assertThat(lines.get(0).at("/regions/0/results/0/id").asText()).as(untold.out()).isEqualTo("house");
    assertThat(lines.get(1).at("/regions/0/results/0/id").asText()).as(untold.out()).isEqualTo("pacman");

    CliRun told = CliRun.of(concat(new String[] {"product", "search", "--db", db.toString()}, opts, house, pacman));
    assertThat(told.code()).as(told.err()).isZero();
    assertThat(told.out()).isEqualTo(untold.out());

    CliRun otherPreset = CliRun.of("product", "search", "--db", db.toString(), "--embedder", model.toString(),
        "--preset", "dinov2", house);
    assertThat(otherPreset.code()).isEqualTo(1);
    assertThat(otherPreset.err()).contains("--preset torchvision-imagenet").contains("--preset dinov2");
    CliRun noPreset = CliRun.of("product", "search", "--db", db.toString(), "--embedder", model.toString(), house);
    assertThat(noPreset.code()).isEqualTo(2);

    // an intent model trained with the default embedder does not fit an ONNX catalog
    CliRun defaultIntent = CliRun.of("product", "train-intent", "--samples", tmp.resolve("intent.csv").toString(),
        "--out", tmp.resolve("default-intent.model").toString());
    assertThat(defaultIntent.code()).as(defaultIntent.err()).isZero();
    CliRun mixed = CliRun.of("product", "search", "--db", db.toString(), "--intent-model",
        tmp.resolve("default-intent.model").toString(), house);
    assertThat(mixed.code()).isEqualTo(1);
    assertThat(mixed.err()).contains("embedder");
  }

  /** Eight clipart images in two colour families, with tags per family. */
  private Path tagsCsv() throws Exception {
    String[][] rows = {
        {"plants/tulips_ganson.png", "flower|plant"}, {"plants/flowers/flowerandpot_daniel_ste_r.png", "flower|plant"},
        {"plants/trees/fall_coloured_leaf_geral_01.png", "leaf|plant"}, {"plants/arbre_modern_jean-victor_01.png", "tree|plant"},
        {"transportation/tram.png", "tram|vehicle"}, {"transportation/plane_in_the_sky_mo_01.png", "plane|vehicle"},
        {"transportation/boating/sailing_kids.png", "boat|vehicle"}, {"transportation/roadsigns/turn_left.png", "sign|road"}};
    StringBuilder csv = new StringBuilder("image,tags,post\n");
    Path img = Files.createDirectories(tmp.resolve("tagimg"));
    for (int i = 0; i < rows.length; i++) {
      Path p = Files.copy(DATA.resolve("clipart").resolve(rows[i][0]), img.resolve(i + ".png"));
      csv.append("tagimg/").append(p.getFileName()).append(',').append(rows[i][1]).append(",p").append(i / 2)
          .append('\n');
    }
    return Files.writeString(tmp.resolve("tags.csv"), csv);
  }

  @Test
  void tagModelRecordsItsOnnxEmbedderAndSuggestUsesItWithoutBeingTold() throws Exception {
    Path model = model(tmp.resolve("models/colour-grid.onnx"), 4);
    String[] opts = {"--embedder", model.toString(), "--preset", "clip", "--embedder-output", "grid"};
    Path dir = tmp.resolve("tagmodel");
    CliRun train = CliRun.of(concat(new String[] {"tag", "train", "--images", tagsCsv().toString(), "--model",
        dir.toString(), "--clusters", "2"}, opts));
    assertThat(train.code()).as(train.err()).isZero();
    assertThat(train.lines().get(0).get("embedder").asText()).startsWith("onnx:colour-grid.onnx@sha256:");
    JsonNode rec = CliSupport.JSON.readTree(dir.resolve(EmbedderRecord.FILE_NAME).toFile());
    assertThat(rec.get("preset").asText()).isEqualTo("clip");
    assertThat(rec.get("output").asText()).isEqualTo("grid");

    String[] images = {tmp.resolve("tagimg/0.png").toString(), tmp.resolve("tagimg/4.png").toString()};
    CliRun untold = CliRun.of(concat(new String[] {"tag", "suggest", "--model", dir.toString()}, new String[0], images));
    assertThat(untold.code()).as(untold.err()).isZero();
    assertThat(untold.lines()).hasSize(2);
    assertThat(untold.lines().get(0).get("tags")).isNotEmpty();
    CliRun told = CliRun.of(concat(new String[] {"tag", "suggest", "--model", dir.toString()}, opts, images));
    assertThat(told.code()).as(told.err()).isZero();
    assertThat(told.out()).isEqualTo(untold.out());

    CliRun otherOutput = CliRun.of("tag", "suggest", "--model", dir.toString(), "--embedder", model.toString(),
        "--preset", "clip", images[0]);
    assertThat(otherOutput.code()).isEqualTo(1);
    assertThat(otherOutput.err()).contains("--embedder-output grid");
    CliRun outputOnly = CliRun.of("tag", "suggest", "--model", dir.toString(), "--embedder-output", "grid", images[0]);
    assertThat(outputOnly.code()).isEqualTo(2);
    assertThat(outputOnly.err()).contains("--embedder-output needs --embedder");
  }

  private static void assertCaptionRanked(CliRun run, String ranking, String field) throws Exception {
    assertThat(run.code()).as(run.err()).isZero();
    com.fasterxml.jackson.databind.JsonNode line = run.lines().get(0);
    assertThat(line.get("ranking").asText()).isEqualTo(ranking);
    double best = line.get(field).asDouble();
    assertThat(line.get("alternatives")).isNotEmpty()
        .allSatisfy(a -> assertThat(a.get(field).asDouble()).isLessThanOrEqualTo(best));
  }

  @Test
  void crossmodalModelRecordsItsOnnxEmbedderAndCaptionUsesItWithoutBeingTold() throws Exception {
    Path model = model(tmp.resolve("models/colour-grid.onnx"), 4);
    String[] opts = {"--embedder", model.toString(), "--preset", "dinov2"};
    String[][] pairs = {{"photos/astronaut.png", "an astronaut in a white suit"}, {"photos/coffee.png", "a cup of coffee"},
        {"photos/chelsea.png", "a cat on the floor"}, {"photos/rocket.jpg", "a rocket launch"},
        {"clipart/transportation/tram.png", "a drawing of a tram"}, {"clipart/plants/tulips_ganson.png", "red tulips"}};
    StringBuilder sb = new StringBuilder();
    Path img = Files.createDirectories(tmp.resolve("pairs"));
    for (int i = 0; i < pairs.length; i++) {
      Path p = Files.copy(DATA.resolve(pairs[i][0]), img.resolve(i + "-" + Path.of(pairs[i][0]).getFileName()));
      sb.append(CliSupport.JSON.writeValueAsString(Map.of("image", p.getFileName().toString(), "text", pairs[i][1])))
          .append('\n');
    }
    Path file = Files.writeString(img.resolve("pairs.jsonl"), sb);
    Path dir = tmp.resolve("cm");
    CliRun train = CliRun.of(concat(new String[] {"crossmodal", "train", "--pairs", file.toString(), "--model",
        dir.toString(), "--epochs", "1", "--width", "32", "--layers", "1", "--validation", "0"}, opts));
    assertThat(train.code()).as(train.err()).isZero();
    assertThat(train.lines().get(0).get("embedder").asText()).startsWith("onnx:colour-grid.onnx@sha256:");
    assertThat(CliSupport.JSON.readTree(dir.resolve(EmbedderRecord.FILE_NAME).toFile()).get("preset").asText())
        .isEqualTo("dinov2");

    String image = img.resolve("1-coffee.png").toString();
    CliRun untold = CliRun.of("crossmodal", "caption", "--model", dir.toString(), image);
    assertThat(untold.code()).as(untold.err()).isZero();
    assertThat(untold.lines().get(0).get("caption").asText()).isNotBlank();
    CliRun told = CliRun.of(concat(new String[] {"crossmodal", "caption", "--model", dir.toString()}, opts, image));
    assertThat(told.code()).as(told.err()).isZero();
    assertThat(told.out()).isEqualTo(untold.out());
    com.fasterxml.jackson.databind.JsonNode caption = untold.lines().get(0);
    assertThat(caption.get("ranking").asText()).isEqualTo("fused");
    assertThat(caption.get("cosine").isNumber()).isTrue();
    assertThat(caption.get("alternatives")).isNotEmpty().allSatisfy(a -> {
      assertThat(a.get("caption").asText()).isNotBlank().isNotEqualTo(caption.get("caption").asText());
      assertThat(a.get("method").asText()).isIn("candidate", "generated");
    });
    // captions are ranked like retrieval: by the matching head alone the caption has the highest score,
    // by the embeddings alone the highest cosine
    assertCaptionRanked(CliRun.of("crossmodal", "caption", "--model", dir.toString(), "--rank-by", "matching", image),
        "matching", "score");
    assertCaptionRanked(CliRun.of("crossmodal", "caption", "--model", dir.toString(), "--rank-by", "embedding", image),
        "embedding", "cosine");
    CliRun badCaption = CliRun.of("crossmodal", "caption", "--model", dir.toString(), "--rank-by", "best", image);
    assertThat(badCaption.code()).isEqualTo(2);
    assertThat(badCaption.err()).contains("--rank-by");
    CliRun retrieve = CliRun.of("crossmodal", "retrieve", "--model", dir.toString(), "--images", img.toString(),
        "--top", "2", "a cup of coffee");
    assertThat(retrieve.code()).as(retrieve.err()).isZero();
    assertThat(retrieve.lines().get(0).get("results")).hasSize(2);
    assertThat(retrieve.lines().get(0).get("ranking").asText()).isEqualTo("fused");
    CliRun byCosine = CliRun.of("crossmodal", "retrieve", "--model", dir.toString(), "--images", img.toString(),
        "--top", "6", "--rank-by", "embedding", "a cup of coffee");
    assertThat(byCosine.code()).as(byCosine.err()).isZero();
    assertRanked(byCosine, "embedding", "cosine");
    CliRun all = CliRun.of("crossmodal", "retrieve", "--model", dir.toString(), "--images", img.toString(),
        "--top", "6", "--rank-by", "matching", "a cup of coffee");
    assertThat(all.code()).as(all.err()).isZero();
    assertRanked(all, "matching", "score");
    assertThat(all.lines().get(0).get("results")).allSatisfy(r -> assertThat(r.has("cosine")).isFalse());
    CliRun fused = CliRun.of("crossmodal", "retrieve", "--model", dir.toString(), "--images", img.toString(),
        "--top", "6", "--rank-by", "fused", "--cosine-weight", "1000", "a cup of coffee");
    assertThat(fused.code()).as(fused.err()).isZero();
    // a large cosine weight ranks as the cosine does
    assertRanked(fused, "fused", "cosine");
    assertThat(images(fused)).isEqualTo(images(byCosine));
    for (String[] bad : new String[][] {{"--rank-by", "embedding", "--first-stage", "3"}, {"--cosine-weight", "0"},
        {"--rank-by", "matching", "--cosine-weight", "2"}, {"--rank-by", "best"}, {"--first-stage", "-1"}}) {
      CliRun r = CliRun.of(concat(new String[] {"crossmodal", "retrieve", "--model", dir.toString(), "--images",
          img.toString()}, bad, "a cup of coffee"));
      assertThat(r.code()).as(String.join(" ", bad)).isEqualTo(2);
      assertThat(r.err()).as(String.join(" ", bad)).containsAnyOf("--rank-by", "--first-stage", "--cosine-weight");
    }
    CliRun index = CliRun.of("crossmodal", "index", "--model", dir.toString(), "--images", img.toString());
    assertThat(index.code()).as(index.err()).isZero();
    assertThat(index.lines().get(0).get("images").asInt()).isEqualTo(6);
    CliRun fromCollection = CliRun.of("crossmodal", "retrieve", "--model", dir.toString(), "--collection",
        dir.resolve("collection.bin").toString(), "--top", "2", "a cup of coffee");
    assertThat(fromCollection.code()).as(fromCollection.err()).isZero();
    assertThat(fromCollection.out()).isEqualTo(retrieve.out());
    assertThat(CliRun.of("crossmodal", "retrieve", "--model", dir.toString(), "--top", "2", "a cup of coffee").code())
        .isEqualTo(2);
    CliRun evaluate = CliRun.of("crossmodal", "evaluate", "--model", dir.toString(), "--pairs", file.toString(),
        "--first-stage", "3");
    assertThat(evaluate.code()).as(evaluate.err()).isZero();
    com.fasterxml.jackson.databind.JsonNode ev = evaluate.lines().get(0);
    assertThat(ev.get("images").asInt()).isEqualTo(6);
    assertThat(ev.get("texts").asInt()).isEqualTo(6);
    assertThat(ev.get("firstStage").asInt()).isEqualTo(3);
    assertThat(ev.get("ranking").asText()).isEqualTo("fused");
    assertThat(ev.get("cosineWeight").asDouble()).isEqualTo(2.0);
    CliRun evaluateDefault = CliRun.of("crossmodal", "evaluate", "--model", dir.toString(), "--pairs", file.toString());
    assertThat(evaluateDefault.code()).as(evaluateDefault.err()).isZero();
    assertThat(evaluateDefault.lines().get(0).get("ranking").asText()).isEqualTo("fused");
    assertThat(evaluateDefault.lines().get(0).get("firstStage").asInt()).isEqualTo(50);
    CliRun evaluateCosine = CliRun.of("crossmodal", "evaluate", "--model", dir.toString(), "--pairs", file.toString(),
        "--rank-by", "EMBEDDING");
    assertThat(evaluateCosine.code()).as(evaluateCosine.err()).isZero();
    assertThat(evaluateCosine.lines().get(0).get("ranking").asText()).isEqualTo("embedding");
    assertThat(evaluateCosine.lines().get(0).get("firstStage").asInt()).isZero();
    assertThat(evaluateCosine.lines().get(0).get("cosineWeight").asDouble()).isZero();
    CliRun evaluateMatching = CliRun.of("crossmodal", "evaluate", "--model", dir.toString(), "--pairs", file.toString(),
        "--rank-by", "matching");
    assertThat(evaluateMatching.code()).as(evaluateMatching.err()).isZero();
    assertThat(evaluateMatching.lines().get(0).get("ranking").asText()).isEqualTo("matching");
    assertThat(evaluateMatching.lines().get(0).get("firstStage").asInt()).isZero();
    for (String dir2 : new String[] {"textToImage", "imageToText"}) {
      double r1 = ev.get(dir2).get("r1").asDouble();
      double r5 = ev.get(dir2).get("r5").asDouble();
      assertThat(r1).isBetween(0.0, 1.0).isLessThanOrEqualTo(r5);
      assertThat(ev.get(dir2).get("r10").asDouble()).isEqualTo(1.0); // 6 candidates: all within 10
    }
    assertThat(CliRun.of("crossmodal", "evaluate", "--model", dir.toString(), "--pairs", file.toString(),
        "--first-stage", "-1").code()).isEqualTo(2);
    CliRun otherPreset = CliRun.of("crossmodal", "retrieve", "--model", dir.toString(), "--images", img.toString(),
        "--embedder", model.toString(), "--preset", "yolo", "a cup of coffee");
    assertThat(otherPreset.code()).isEqualTo(1);
    assertThat(otherPreset.err()).contains("--preset dinov2").contains("--preset yolo");
  }

  /** One text's results, in descending order of the given field, under the given ranking. */
  private static void assertRanked(CliRun run, String ranking, String field) throws Exception {
    com.fasterxml.jackson.databind.JsonNode line = run.lines().get(0);
    assertThat(line.get("ranking").asText()).isEqualTo(ranking);
    double previous = Double.POSITIVE_INFINITY;
    for (com.fasterxml.jackson.databind.JsonNode r : line.get("results")) {
      assertThat(r.get("score").asDouble()).isBetween(0.0, 1.0);
      double v = r.get(field).asDouble();
      assertThat(v).as("%s in %s", field, line).isLessThanOrEqualTo(previous + 1e-4);
      previous = v;
    }
  }

  private static java.util.List<String> images(CliRun run) throws Exception {
    java.util.List<String> out = new java.util.ArrayList<>();
    run.lines().get(0).get("results").forEach(r -> out.add(r.get("image").asText()));
    return out;
  }

  static String[] concat(String[] head, String[] opts, String... tail) {
    String[] all = new String[head.length + opts.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(opts, 0, all, head.length, opts.length);
    System.arraycopy(tail, 0, all, head.length + opts.length, tail.length);
    return all;
  }
}
