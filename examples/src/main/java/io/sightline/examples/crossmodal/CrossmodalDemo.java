package io.sightline.examples.crossmodal;

import io.sightline.core.CancellationToken;
import io.sightline.crossmodal.Caption;
import io.sightline.crossmodal.CrossModalModel;
import io.sightline.crossmodal.CrossModalTrainer;
import io.sightline.crossmodal.EpochStats;
import io.sightline.crossmodal.ImageCollection;
import io.sightline.crossmodal.ImageMatch;
import io.sightline.crossmodal.ImageTextPair;
import io.sightline.crossmodal.LabeledBox;
import io.sightline.core.detect.Box;
import io.sightline.crossmodal.TrainingResult;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.demo.DemoStep;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Crossmodal demo: builds image–text pairs from the bundled clipart (text = category folder words +
 * file-name words), trains a small single-stream model for at most 30 seconds, then ranks the
 * images for the text of one image per top-level category and captions a few images (each line also
 * gives the image's own training text). Writes {@code retrieval.jsonl},
 * {@code captions.jsonl} and the model under its output folder. The figures are on the training
 * images themselves (a demonstration, not an evaluation; see BENCHMARKS.md for held-out figures).
 */
public final class CrossmodalDemo implements DemoStep {
  @Override
  public String name() {
    return "crossmodal";
  }

  /**
   * @param clipart the clipart folder
   * @return one pair per image: category path words and file-name words
   * @throws java.io.IOException when the folder cannot be listed
   */
  static List<ImageTextPair> clipartPairs(Path clipart) throws java.io.IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(clipart)) {
      files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
    List<ImageTextPair> pairs = new ArrayList<>();
    for (Path f : files) {
      List<String> words = new ArrayList<>();
      Path rel = clipart.relativize(f);
      for (int i = 0; i < rel.getNameCount() - 1; i++) {
        words.add(rel.getName(i).toString());
      }
      String name = rel.getFileName().toString().replaceFirst("\\.png$", "");
      for (String w : name.split("[^\\p{L}]+")) {
        if (w.length() > 2) {
          words.add(w);
        }
      }
      String text = String.join(" ", words).replace('_', ' ').toLowerCase(Locale.ROOT);
      // the image's category word labels the whole drawing: the seed library's standard text
      String label = rel.getName(rel.getNameCount() - 2).toString().replace('_', ' ');
      java.awt.Dimension size = imageSize(f);
      pairs.add(new ImageTextPair(f, text, List.of(new LabeledBox(
          new Box(0, 0, size.width, size.height), label))));
    }
    return pairs;
  }

  private static java.awt.Dimension imageSize(Path f) {
    io.sightline.core.image.ImageInfo info = io.sightline.core.image.ImageLoader.defaults().probe(f);
    return new java.awt.Dimension(info.width(), info.height());
  }

  @Override
  public Map<String, Object> run(Path data, Path out) throws Exception {
    // one PyTorch thread unless the user chose otherwise: OpenMP threads spinning on a busy
    // 2-core machine made training about ten times slower (read when the engine first loads)
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", "1");
    }
    Path clipart = data.resolve("clipart");
    List<ImageTextPair> pairs = clipartPairs(clipart);
    TrainingResult r = CrossModalTrainer.builder().pairs(pairs).width(32).layers(1).heads(2)
        .epochs(100).maxDuration(java.time.Duration.ofSeconds(30)).batchSize(16).learningRate(3e-3f)
        .seed(42).maxTextUnits(12)
        .progress((task, done, total, msg) -> {
            if (!task.equals("batch")) {
              CliSupport.progress(task, done, total, CrossmodalTrainCommand.withoutNaN(msg));
            }
          }).build().train();
    Map<String, Object> summary = new LinkedHashMap<>();
    try (CrossModalModel m = r.model()) {
      m.save(out.resolve("model"));
      List<Path> images = pairs.stream().map(ImageTextPair::image).toList();
      ImageCollection coll = m.collection(images, (t, d, n, msg) -> { }, CancellationToken.NONE);
      // one query per top-level category: the text of its first image (seen in training)
      Map<String, ImageTextPair> queries = new LinkedHashMap<>();
      for (ImageTextPair p : pairs) {
        queries.putIfAbsent(clipart.relativize(p.image()).getName(0).toString(), p);
      }
      int hits = 0;
      int own = 0;
      try (BufferedWriter w = Files.newBufferedWriter(out.resolve("retrieval.jsonl"), StandardCharsets.UTF_8)) {
        for (Map.Entry<String, ImageTextPair> q : queries.entrySet()) {
          List<ImageMatch> top = m.retrieve(q.getValue().text(), coll, 5);
          List<Map<String, Object>> results = new ArrayList<>();
          for (ImageMatch im : top) {
            String c = clipart.relativize(im.image()).getName(0).toString();
            hits += c.equals(q.getKey()) ? 1 : 0;
            own += im.image().equals(q.getValue().image()) ? 1 : 0;
            results.add(Map.of("image", clipart.relativize(im.image()).toString(),
                "score", Math.round(im.score() * 1e4) / 1e4));
          }
          Map<String, Object> line = new LinkedHashMap<>();
          line.put("text", q.getValue().text());
          line.put("results", results);
          w.write(CliSupport.JSON.writeValueAsString(line));
          w.newLine();
        }
      }
      List<Map<String, Object>> captions = new ArrayList<>();
      int ownCaptions = 0;
      try (BufferedWriter w = Files.newBufferedWriter(out.resolve("captions.jsonl"), StandardCharsets.UTF_8)) {
        for (int i = 0; i < images.size(); i += Math.max(1, images.size() / 4)) {
          Caption c = m.caption(images.get(i));
          Map<String, Object> line = new LinkedHashMap<>();
          line.put("image", clipart.relativize(images.get(i)).toString());
          line.put("trainingText", pairs.get(i).text());
          ownCaptions += c.text().equals(pairs.get(i).text()) ? 1 : 0;
          line.put("caption", c.text());
          line.put("score", Math.round(c.score() * 1e4) / 1e4);
          line.put("method", c.method().name().toLowerCase(Locale.ROOT));
          w.write(CliSupport.JSON.writeValueAsString(line));
          w.newLine();
          captions.add(line);
        }
      }
      EpochStats last = r.history().get(r.history().size() - 1);
      summary.put("pairs", pairs.size());
      summary.put("epochs", r.history().size());
      summary.put("trainSamplesPerSecond", Math.round(last.samplesPerSecond()));
      summary.put("matchingAccuracy", Math.round(last.matchingAccuracy() * 1000) / 1000.0);
      summary.put("maskedTextAccuracy", Math.round(last.maskedTextAccuracy() * 1000) / 1000.0);
      summary.put("ownImageInTop5", own + "/" + queries.size());
      summary.put("categoryPrecisionAt5", Math.round(1000.0 * hits / (5.0 * queries.size())) / 1000.0);
      summary.put("captionIsTrainingText", ownCaptions + "/" + captions.size());
      summary.put("captions", captions.subList(0, Math.min(3, captions.size())));
      summary.put("retrieval", out.resolve("retrieval.jsonl").toString());
    }
    return summary;
  }
}
