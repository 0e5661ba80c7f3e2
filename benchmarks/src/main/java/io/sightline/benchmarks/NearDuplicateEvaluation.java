package io.sightline.benchmarks;

import io.sightline.core.SightlineException;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.image.Distortions;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import io.sightline.core.metrics.Metrics;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Near-duplicate retrieval on openclipart: index N images with the default embedder, query with
 * distorted copies, report recall@1 and recall@10 for the default embedder with the exact index
 * and with HNSW, beside a 64-bit perceptual hash (pHash) baseline, plus single-thread embedding
 * throughput at 512 px input for both. Prints a Markdown table.
 *
 * <pre>
 * java -cp ... io.sightline.benchmarks.NearDuplicateEvaluation [images=2000] [queries=500]
 * </pre>
 */
public final class NearDuplicateEvaluation {
  private NearDuplicateEvaluation() {}

  /**
   * @param args [number of images] [number of queries per distortion]
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int q = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    List<Path> files = OpenClipart.sample(n + n / 10, 42, 2000);
    ImageLoader loader = ImageLoader.defaults();
    GlobalDescriptorEmbedder emb = new GlobalDescriptorEmbedder();
    List<BufferedImage> images = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    int failed = 0;
    for (Path f : files) {
      if (images.size() == n) {
        break;
      }
      try {
        // keep the working set small: references at most 512 px on the long side
        images.add(ImageOps.fitWithin(loader.load(f), 512));
        ids.add(f.toString());
      } catch (SightlineException e) {
        failed++;
      }
    }
    System.err.printf("loaded %d images (%d undecodable skipped)%n", images.size(), failed);

    // throughput on one thread, 512 px inputs
    List<BufferedImage> tp = images.subList(0, Math.min(300, images.size()));
    for (int i = 0; i < 50; i++) {
      emb.embed(tp.get(i % tp.size()));
      PerceptualHash.hash(tp.get(i % tp.size()));
    }
    long t0 = System.nanoTime();
    for (BufferedImage img : tp) {
      emb.embed(img);
    }
    double embPerSec = tp.size() / ((System.nanoTime() - t0) / 1e9);
    t0 = System.nanoTime();
    for (BufferedImage img : tp) {
      PerceptualHash.hash(img);
    }
    double hashPerSec = tp.size() / ((System.nanoTime() - t0) / 1e9);

    ExactVectorIndex<Integer> exact = new ExactVectorIndex<>(emb.dimension(), Metric.COSINE, emb.id());
    HnswVectorIndex<Integer> hnsw = HnswVectorIndex.builder().dimension(emb.dimension()).embedderId(emb.id()).build();
    long[] hashes = new long[images.size()];
    List<IndexItem<Integer>> items = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      items.add(IndexItem.of(i, emb.embed(images.get(i))));
      hashes[i] = PerceptualHash.hash(images.get(i));
    }
    exact.addAll(items);
    hnsw.addAll(items);

    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "images indexed: %d, queries per distortion: %d%n%n", images.size(), Math.min(q, images.size())));
    md.append("| distortion | default+exact R@1 | R@10 | default+HNSW R@1 | R@10 | pHash R@1 | R@10 |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    for (Distortions.Named d : Distortions.standard()) {
      double[] s = new double[6];
      int nq = Math.min(q, images.size());
      for (int i = 0; i < nq; i++) {
        BufferedImage query = d.apply().apply(images.get(i));
        float[] v = emb.embed(query);
        Set<Integer> truth = Set.of(i);
        List<Integer> re = exact.search(v, 10).stream().map(SearchResult::id).toList();
        List<Integer> rh = hnsw.search(v, 10).stream().map(SearchResult::id).toList();
        long h = PerceptualHash.hash(query);
        List<Integer> rp = IntStream.range(0, hashes.length).boxed()
            .sorted(Comparator.comparingInt((Integer j) -> PerceptualHash.distance(h, hashes[j])).thenComparing(j -> j))
            .limit(10).toList();
        s[0] += Metrics.hitAtK(re, truth, 1);
        s[1] += Metrics.hitAtK(re, truth, 10);
        s[2] += Metrics.hitAtK(rh, truth, 1);
        s[3] += Metrics.hitAtK(rh, truth, 10);
        s[4] += Metrics.hitAtK(rp, truth, 1);
        s[5] += Metrics.hitAtK(rp, truth, 10);
      }
      md.append("| ").append(d.name());
      for (double x : s) {
        md.append(String.format(Locale.ROOT, " | %.3f", x / nq));
      }
      md.append(" |\n");
    }
    md.append(String.format(Locale.ROOT, "%nthroughput on one thread, 512 px inputs: default embedder %.1f images/s, pHash %.1f images/s%n",
        embPerSec, hashPerSec));
    System.out.print(md);
  }
}
