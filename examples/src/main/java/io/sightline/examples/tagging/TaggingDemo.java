package io.sightline.examples.tagging;

import io.sightline.core.CancellationToken;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.metrics.Metrics;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.demo.DemoStep;
import io.sightline.tagging.CentreInit;
import io.sightline.tagging.ClusteringOptions;
import io.sightline.tagging.PathTags;
import io.sightline.tagging.Strategy;
import io.sightline.tagging.TagRecommender;
import io.sightline.tagging.TagSelection;
import io.sightline.tagging.TagSuggestion;
import io.sightline.tagging.TagsCsv;
import io.sightline.tagging.TrainingReport;
import io.sightline.tagging.UpdateMode;
import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Tagging demo: the bundled clipart (tags from category folders and title words) becomes the
 * stock — four of every five images per category — is clustered with K-means, and the held-out
 * fifth gets suggestions from its nearest cluster and from the most-popular baseline; the step
 * reports precision@3 and recall@3 of both and writes {@code tags.csv}, the model folder and
 * {@code suggestions.jsonl}.
 */
public final class TaggingDemo implements DemoStep {
  @Override
  public String name() {
    return "tagging";
  }

  @Override
  public Map<String, Object> run(Path data, Path out) throws Exception {
    Path clipart = data.resolve("clipart");
    if (!Files.isDirectory(clipart)) {
      throw new IllegalStateException("the tagging demo needs " + clipart + "/<category>/.../*.png");
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(clipart)) {
      files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalStateException(clipart + " holds no PNG images");
    }
    List<String[]> stockRows = new ArrayList<>();
    List<Path> heldOut = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Path f = files.get(i);
      if (i % 5 == 4) {
        heldOut.add(f);
      } else {
        stockRows.add(new String[] {f.toAbsolutePath().toString(),
            String.join("|", PathTags.of(clipart, f)), ""});
      }
    }
    Path csv = out.resolve("tags.csv");
    TagsCsv.write(csv, stockRows);
    Path modelDir = out.resolve("model");
    int k = Math.max(2, (int) Math.round(Math.sqrt(stockRows.size() / 2.0)));
    double p3 = 0;
    double r3 = 0;
    double bp3 = 0;
    double br3 = 0;
    TrainingReport report;
    ImageLoader loader = ImageLoader.defaults();
    try (GlobalDescriptorEmbedder embedder = new GlobalDescriptorEmbedder();
         TagRecommender r = TagRecommender.builder().embedder(embedder).directory(modelDir)
             .clustering(ClusteringOptions.defaults().withClusters(k).withInit(CentreInit.KMEANS_PLUS_PLUS))
             .selection(TagSelection.top(3)).build();
         BufferedWriter w = Files.newBufferedWriter(out.resolve("suggestions.jsonl"), StandardCharsets.UTF_8)) {
      r.importCsv(csv, data, CliSupport.progressBar(), CancellationToken.NONE);
      report = r.update(UpdateMode.RECLUSTER, CliSupport.progressBar(), CancellationToken.NONE);
      for (Path f : heldOut) {
        Set<String> truth = PathTags.of(clipart, f);
        BufferedImage img = loader.load(f);
        TagSuggestion s = r.suggest(img, Strategy.NEAREST_CLUSTER, TagSelection.top(3));
        TagSuggestion base = r.suggest(img, Strategy.MOST_POPULAR, TagSelection.top(3));
        p3 += Metrics.precisionAtK(s.tagNames(), truth, 3);
        r3 += Metrics.recallAtK(s.tagNames(), truth, 3);
        bp3 += Metrics.precisionAtK(base.tagNames(), truth, 3);
        br3 += Metrics.recallAtK(base.tagNames(), truth, 3);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("image", clipart.relativize(f).toString());
        line.put("cluster", s.cluster());
        line.put("tags", s.tagNames());
        line.put("truth", truth);
        w.write(CliSupport.JSON.writeValueAsString(line));
        w.newLine();
      }
    }
    int n = heldOut.size();
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("stock", stockRows.size());
    summary.put("heldOut", n);
    summary.put("clusters", report.clusters());
    summary.put("iterations", report.iterations());
    summary.put("precisionAt3", round(p3 / n));
    summary.put("recallAt3", round(r3 / n));
    summary.put("baselinePrecisionAt3", round(bp3 / n));
    summary.put("baselineRecallAt3", round(br3 / n));
    summary.put("model", modelDir.toString());
    summary.put("suggestions", out.resolve("suggestions.jsonl").toString());
    return summary;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
