package io.sightline.benchmarks;

import io.sightline.core.SightlineException;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.image.Distortions;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import io.sightline.core.metrics.Metrics;
import io.sightline.core.rerank.LocalFeatureReranker;
import io.sightline.core.rerank.LocalFeatures;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Instance-level re-ranking: the same object in a different shot. References are openclipart
 * drawings; each query is its object rotated, scaled, partly cut off and pasted onto a crop of a
 * public-domain photo (clutter). The default embedder + exact index gives the top 20; ORB + RANSAC
 * ({@link LocalFeatureReranker}) re-ranks them. Reports recall@1 / recall@10 with and without
 * re-ranking and the latency each adds, in one run.
 *
 * <pre>
 * java -cp ... io.sightline.benchmarks.RerankEvaluation [references=500] [queries=150]
 * </pre>
 */
public final class RerankEvaluation {
  private RerankEvaluation() {}

  /**
   * @param args [references] [queries]
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int nq = args.length > 1 ? Integer.parseInt(args[1]) : 150;
    ImageLoader loader = ImageLoader.defaults();
    List<BufferedImage> refs = new ArrayList<>();
    List<BufferedImage> cutouts = new ArrayList<>();
    for (Path f : OpenClipart.sample(n + n / 5, 7, 8000)) {
      if (refs.size() == n) {
        break;
      }
      try {
        BufferedImage raw = loader.loadRaw(f);
        refs.add(ImageOps.fitWithin(raw, 480));
        cutouts.add(raw);
      } catch (SightlineException e) {
        // undecodable files are skipped
      }
    }
    List<BufferedImage> backgrounds = new ArrayList<>();
    Path photos = Path.of(System.getProperty("photos.dir", "testdata/photos"));
    for (String p : new String[] {"astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg"}) {
      backgrounds.add(loader.load(photos.resolve(p)));
    }
    GlobalDescriptorEmbedder emb = new GlobalDescriptorEmbedder();
    LocalFeatureReranker reranker = LocalFeatureReranker.defaults();
    ExactVectorIndex<Integer> index = new ExactVectorIndex<>(emb.dimension(), Metric.COSINE, emb.id());
    List<LocalFeatures> feats = new ArrayList<>();
    long tf = System.nanoTime();
    for (int i = 0; i < refs.size(); i++) {
      index.add(i, emb.embed(refs.get(i)));
      feats.add(reranker.computeFeatures(refs.get(i)));
    }
    double featMs = (System.nanoTime() - tf) / 1e6 / refs.size();

    Random rnd = new Random(3);
    double[] base = new double[2];
    double[] rer = new double[2];
    double[] searchMs = new double[nq];
    double[] rerankMs = new double[nq];
    int q = Math.min(nq, refs.size());
    for (int i = 0; i < q; i++) {
      BufferedImage query = shot(cutouts.get(i), backgrounds.get(rnd.nextInt(backgrounds.size())), rnd);
      long t0 = System.nanoTime();
      List<SearchResult<Integer>> top = index.search(emb.embed(query), 20);
      searchMs[i] = (System.nanoTime() - t0) / 1e6;
      Set<Integer> truth = Set.of(i);
      List<Integer> ids = top.stream().map(SearchResult::id).toList();
      base[0] += Metrics.hitAtK(ids, truth, 1);
      base[1] += Metrics.hitAtK(ids, truth, 10);
      t0 = System.nanoTime();
      List<LocalFeatureReranker.Candidate<Integer>> cands = top.stream()
          .map(r -> LocalFeatureReranker.Candidate.of(r.id(), feats.get(r.id()), r.similarity())).toList();
      List<Integer> reranked = reranker.rerank(query, cands).stream().map(LocalFeatureReranker.Reranked::id).toList();
      rerankMs[i] = (System.nanoTime() - t0) / 1e6;
      rer[0] += Metrics.hitAtK(reranked, truth, 1);
      rer[1] += Metrics.hitAtK(reranked, truth, 10);
    }
    Arrays.sort(searchMs, 0, q);
    Arrays.sort(rerankMs, 0, q);
    System.out.printf(Locale.ROOT, "references: %d, queries: %d (object rotated ±25°, scaled 0.45-0.7, up to 25%% cut off, pasted on a photo crop, JPEG 0.7)%n%n", refs.size(), q);
    System.out.println("| pipeline | recall@1 | recall@10 | latency p50 | latency p99 |");
    System.out.println("|---|---|---|---|---|");
    System.out.printf(Locale.ROOT, "| default embedder + exact index | %.3f | %.3f | %.1f ms | %.1f ms |%n",
        base[0] / q, base[1] / q, Metrics.quantile(Arrays.copyOf(searchMs, q), 0.5), Metrics.quantile(Arrays.copyOf(searchMs, q), 0.99));
    System.out.printf(Locale.ROOT, "| + ORB/RANSAC re-rank of top 20 | %.3f | %.3f | +%.1f ms | +%.1f ms |%n",
        rer[0] / q, rer[1] / q, Metrics.quantile(Arrays.copyOf(rerankMs, q), 0.5), Metrics.quantile(Arrays.copyOf(rerankMs, q), 0.99));
    System.out.printf(Locale.ROOT, "%nreference features: %.1f ms per image (computed once, cached)%n", featMs);
  }

  /**
   * The object (with its transparency) rotated, scaled, cut off at one side and pasted on a photo
   * crop, then JPEG-encoded.
   */
  static BufferedImage shot(BufferedImage obj, BufferedImage photo, Random rnd) {
    int w = 480;
    int h = 360;
    int px = rnd.nextInt(Math.max(1, photo.getWidth() - w));
    int py = rnd.nextInt(Math.max(1, photo.getHeight() - h));
    BufferedImage canvas = ImageOps.copy(ImageOps.crop(photo, px, py, w, h));
    double scale = (0.45 + rnd.nextDouble() * 0.25) * Math.min(w / (double) obj.getWidth(), h / (double) obj.getHeight());
    int ow = Math.max(1, (int) (obj.getWidth() * scale));
    int oh = Math.max(1, (int) (obj.getHeight() * scale));
    int cut = (int) (ow * rnd.nextDouble() * 0.25);
    double angle = Math.toRadians(-25 + rnd.nextDouble() * 50);
    int x = rnd.nextInt(Math.max(1, w - ow)) + cut;
    int y = rnd.nextInt(Math.max(1, h - oh));
    Graphics2D g = canvas.createGraphics();
    g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.clipRect(x + cut - ow / 2, 0, w, h); // the left part of the object is out of the shot
    g.rotate(angle, x + ow / 2.0, y + oh / 2.0);
    g.drawImage(obj, x - ow / 2 + ow / 2, y, ow, oh, null);
    g.dispose();
    return Distortions.jpeg(canvas, 0.7f);
  }
}
