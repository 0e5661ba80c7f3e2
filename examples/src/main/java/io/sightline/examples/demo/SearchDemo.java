package io.sightline.examples.demo;

import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.Distortions;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.SearchResult;
import io.sightline.core.metrics.Metrics;
import io.sightline.examples.cli.CliSupport;
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
import javax.imageio.ImageIO;

/**
 * Core demo: embeds every bundled image with the default embedder, builds an HNSW index, saves
 * and reopens it, then queries it with distorted copies (crop, rescale, JPEG, colour shift,
 * combined) and reports recall@1 and recall@10 per distortion.
 */
public final class SearchDemo implements DemoStep {
  @Override
  public String name() {
    return "search";
  }

  @Override
  public Map<String, Object> run(Path data, Path out) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(data)) {
      files = s.filter(p -> p.toString().matches(".*\\.(png|jpg)$")).sorted().toList();
    }
    ImageLoader loader = ImageLoader.defaults();
    ImageEmbedder embedder = new GlobalDescriptorEmbedder();
    HnswVectorIndex<String> index = HnswVectorIndex.builder()
        .dimension(embedder.dimension()).embedderId(embedder.id()).build();
    List<BufferedImage> images = new ArrayList<>();
    List<IndexItem<String>> items = new ArrayList<>();
    for (Path f : files) {
      BufferedImage img = loader.load(f);
      images.add(img);
      String id = data.relativize(f).toString();
      items.add(new IndexItem<>(id, embedder.embed(img), Map.of("folder", id.split("/")[0])));
    }
    index.addAll(items, CliSupport.progressBar());
    Path indexFile = out.resolve("index.bin");
    index.save(indexFile);
    HnswVectorIndex<String> reopened = HnswVectorIndex.load(indexFile, String.class, embedder.id());

    Map<String, Object> recall = new LinkedHashMap<>();
    Path queries = out.resolve("queries.jsonl");
    Path samples = out.resolve("queries");
    Files.createDirectories(samples);
    try (BufferedWriter w = Files.newBufferedWriter(queries, StandardCharsets.UTF_8)) {
      for (Distortions.Named d : Distortions.standard()) {
        double r1 = 0;
        double r10 = 0;
        for (int i = 0; i < images.size(); i++) {
          BufferedImage q = d.apply().apply(images.get(i));
          if (i == 0) {
            ImageIO.write(q, "png", samples.resolve(d.name() + ".png").toFile());
          }
          List<SearchResult<String>> res = reopened.search(embedder.embed(q), 10);
          List<String> ids = res.stream().map(SearchResult::id).toList();
          Set<String> truth = Set.of(items.get(i).id());
          r1 += Metrics.hitAtK(ids, truth, 1);
          r10 += Metrics.hitAtK(ids, truth, 10);
          Map<String, Object> line = new LinkedHashMap<>();
          line.put("query", items.get(i).id());
          line.put("distortion", d.name());
          line.put("top", res.stream().limit(3)
              .map(r -> Map.of("id", r.id(), "similarity", r.similarity())).toList());
          w.write(CliSupport.JSON.writeValueAsString(line));
          w.newLine();
        }
        recall.put(d.name(), Map.of("recall@1", round(r1 / images.size()), "recall@10", round(r10 / images.size())));
      }
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("images", images.size());
    summary.put("embedder", embedder.id());
    summary.put("recall", recall);
    summary.put("index", indexFile.toString());
    summary.put("queries", queries.toString());
    return summary;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
