package io.sightline.commerce.eval;

import io.sightline.commerce.FilterPreset;
import io.sightline.commerce.Intent;
import io.sightline.commerce.ProductCatalog;
import io.sightline.commerce.ProductMatch;
import io.sightline.commerce.ProductSearchResult;
import io.sightline.commerce.ProductSearcher;
import io.sightline.commerce.RegionResult;
import io.sightline.core.classify.ImageClassifier;
import io.sightline.core.detect.Box;
import io.sightline.core.instance.Matcher;
import io.sightline.core.metrics.Metrics;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The filter presets (none, seed, calibrated) per query kind, and the gate margin, in one run of
 * {@link ProductSearchEvaluation} ({@code -Deval.only=filters}): P@1 and R@10 for exact catalog
 * images, new shots on studio backdrops and on photo backgrounds (other commodities), and
 * garments of outfits; the cosine similarity of the true product among the global candidates,
 * from which the calibrated preset's threshold was chosen.
 */
final class FilterEvaluation {
  /** One query: its image, the intent the oracle gives, the relevant product per expected garment box. */
  record Query(BufferedImage image, String kind, List<String> ids, List<Box> boxes) {}

  private FilterEvaluation() {}

  static void presets(ProductCatalog catalog, ImageClassifier oracle, List<Query> queries, List<String> kinds) {
    // calibration: cosine of the true product among 30 global candidates, no filters
    List<Double> trueCos = new ArrayList<>();
    List<Double> wrongCos = new ArrayList<>();
    int missing = 0;
    ProductSearcher raw = ProductSearcher.builder().catalog(catalog).intentClassifier(oracle).matcher(Matcher.GLOBAL)
        .filters(FilterPreset.NONE).candidates(30).top(30).deduplicate(false).build();
    for (Query q : queries) {
      ProductSearchResult r = raw.search(q.image(), q.kind());
      for (int k = 0; k < q.ids().size(); k++) {
        List<ProductMatch> res = region(r, q, k);
        boolean found = false;
        for (ProductMatch m : res) {
          if (m.id().equals(q.ids().get(k))) {
            trueCos.add(1.0 - m.distance());
            found = true;
          } else {
            wrongCos.add(1.0 - m.distance());
          }
        }
        missing += found ? 0 : 1;
      }
    }
    double[] t = trueCos.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double[] w = wrongCos.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    System.out.printf(Locale.ROOT, "%n### Calibration: cosine similarity among 30 global candidates (no filter)%n%n");
    System.out.printf(Locale.ROOT, "true product found in candidates %d times (%d not found); its cosine: min %.3f, "
        + "1%% %.3f, 5%% %.3f, median %.3f; wrong candidates (%d): min %.3f, 5%% %.3f, median %.3f, 95%% %.3f%n",
        t.length, missing, t[0], q(t, 0.01), q(t, 0.05), q(t, 0.5), w.length, w[0], q(w, 0.05), q(w, 0.5), q(w, 0.95));
    for (double c : new double[] {0.0, 0.08, 0.3, 0.5, 0.6, 0.7, 0.8}) {
      long tk = Arrays.stream(t).filter(x -> x >= c).count();
      long wk = Arrays.stream(w).filter(x -> x >= c).count();
      System.out.printf(Locale.ROOT, "cosine >= %.2f keeps %d / %d true, %d / %d wrong%n", c, tk, t.length, wk, w.length);
    }

    System.out.printf(Locale.ROOT, "%n### Filter presets per query kind (true intent; P@1 / R@10; mean results kept)%n%n");
    StringBuilder head = new StringBuilder("| matcher | filters |");
    StringBuilder rule = new StringBuilder("|---|---|");
    for (String k : kinds) {
      head.append(' ').append(k).append(" P@1 | ").append(k).append(" R@10 |");
      rule.append("---|---|");
    }
    System.out.println(head.append(" mean kept | ms / query |"));
    System.out.println(rule.append("---|---|"));
    for (Matcher matcher : List.of(Matcher.GLOBAL, Matcher.HYBRID)) {
      for (FilterPreset preset : FilterPreset.values()) {
        ProductSearcher s = ProductSearcher.builder().catalog(catalog).intentClassifier(oracle).matcher(matcher)
            .filters(preset).candidates(30).top(10).build();
        StringBuilder row = new StringBuilder("| " + matcher.id() + " | " + preset.name().toLowerCase(Locale.ROOT) + " |");
        long kept = 0;
        long regions = 0;
        long nanos = 0;
        int n = 0;
        List<List<List<String>>> rank = new ArrayList<>();
        List<List<Set<String>>> rel = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
          rank.add(new ArrayList<>());
          rel.add(new ArrayList<>());
        }
        for (Query q : queries) {
          long a = System.nanoTime();
          ProductSearchResult r = s.search(q.image(), q.kind());
          nanos += System.nanoTime() - a;
          n++;
          for (RegionResult g : r.regions()) {
            kept += g.results().size();
            regions++;
          }
          int ki = kinds.indexOf(q.kind());
          for (int k = 0; k < q.ids().size(); k++) {
            rank.get(ki).add(region(r, q, k).stream().map(ProductMatch::id).toList());
            rel.get(ki).add(Set.of(q.ids().get(k)));
          }
        }
        for (int i = 0; i < kinds.size(); i++) {
          row.append(String.format(Locale.ROOT, " %.3f | %.3f |", mean(rank.get(i), rel.get(i), 1, true),
              mean(rank.get(i), rel.get(i), 10, false)));
        }
        row.append(String.format(Locale.ROOT, " %.1f | %.0f |", kept / (double) Math.max(1, regions), nanos / 1e6 / n));
        System.out.println(row);
      }
    }
  }

  /**
   * Other-commodity queries searched as the whole image (the seed), cropped to the union of the
   * detected regions (the old main-object variant) or to the best region (the new one), with the
   * calibrated filters.
   */
  static void mainObject(ProductCatalog catalog, ImageClassifier oracle, List<Query> queries, List<String> kinds) {
    System.out.printf(Locale.ROOT, "%n### Other commodities: whole image vs main-object crop (calibrated filters; P@1 / R@10)%n%n");
    StringBuilder head = new StringBuilder("| matcher | query image |");
    StringBuilder rule = new StringBuilder("|---|---|");
    for (String k : kinds) {
      head.append(' ').append(k).append(" P@1 | ").append(k).append(" R@10 |");
      rule.append("---|---|");
    }
    System.out.println(head);
    System.out.println(rule);
    for (Matcher matcher : List.of(Matcher.GLOBAL, Matcher.HYBRID)) {
      for (String variant : List.of("whole image", "main object: union of regions", "main object: dominant regions")) {
        ProductSearcher.Builder b = ProductSearcher.builder().catalog(catalog).intentClassifier(oracle).matcher(matcher)
            .otherCommodityMainObject(!variant.equals("whole image")).candidates(30).top(10);
        if (variant.contains("union")) {
          io.sightline.commerce.SearcherVariants.mainObjectUnion(b);
        }
        ProductSearcher s = b.build();
        System.out.println(topOneRow(s, "| " + matcher.id() + " | " + variant + " |", queries, kinds));
      }
    }
  }

  /** A table row: P@1 and R@10 of each query kind, the first region's results against the query's product. */
  private static String topOneRow(ProductSearcher s, String head, List<Query> queries, List<String> kinds) {
    StringBuilder row = new StringBuilder(head);
    for (String kind : kinds) {
      List<List<String>> rank = new ArrayList<>();
      List<Set<String>> rel = new ArrayList<>();
      for (Query q : queries) {
        if (q.kind().equals(kind)) {
          ProductSearchResult r = s.search(q.image(), kind);
          rank.add(region(r, q, 0).stream().map(ProductMatch::id).toList());
          rel.add(Set.of(q.ids().get(0)));
        }
      }
      row.append(String.format(Locale.ROOT, " %.3f | %.3f |", mean(rank, rel, 1, true), mean(rank, rel, 10, false)));
    }
    return row.toString();
  }

  /** The same queries on a catalog that embeds each product's main object (query and catalog processed alike). */
  static void mainObjectCatalog(ProductCatalog cropCatalog, ImageClassifier oracle, List<Query> queries, List<String> kinds) {
    for (Matcher matcher : new java.util.LinkedHashSet<>(List.of(Matcher.GLOBAL, cropCatalog.matcher()))) {
      ProductSearcher s = ProductSearcher.builder().catalog(cropCatalog).intentClassifier(oracle).matcher(matcher)
          .candidates(30).top(10).build();
      System.out.println(topOneRow(s, "| " + matcher.id() + " | main object: dominant regions, catalog cropped alike |",
          queries, kinds));
    }
  }

  /**
   * The results that answer the k-th expected product of a query: for a garment with a known box,
   * the region that best covers it (IoU &ge; 0.3, else none); otherwise the largest region.
   */
  static List<ProductMatch> region(ProductSearchResult r, Query q, int k) {
    if (r.regions().isEmpty()) {
      return List.of();
    }
    if (q.boxes() != null) {
      RegionResult best = null;
      double bestIou = 0.3;
      for (RegionResult g : r.regions()) {
        double iou = g.box().iou(q.boxes().get(k));
        if (iou >= bestIou) {
          bestIou = iou;
          best = g;
        }
      }
      return best == null ? List.of() : best.results();
    }
    RegionResult largest = r.regions().get(0);
    for (RegionResult g : r.regions()) {
      if (g.box().w() * g.box().h() > largest.box().w() * largest.box().h()) {
        largest = g;
      }
    }
    return largest.results();
  }

  /** Gate margin sweep with the trained gate: skipped and both-segment shares, by truth. */
  static void gateMargins(ProductCatalog catalog, ImageClassifier gate, List<BufferedImage> images, List<Intent> truth) {
    System.out.printf(Locale.ROOT, "%n### Gate margin (%d photos, %d non-product)%n%n", images.size(),
        truth.stream().filter(i -> i == Intent.NON_COMMODITY).count());
    System.out.println("| gate margin | non-product skipped | product photos wrongly skipped | photos searched in both segments "
        + "| product photos searched in their true segment |");
    System.out.println("|---|---|---|---|---|");
    for (double m : new double[] {0.0, 0.1, 0.2, 0.3, 0.5}) {
      ProductSearcher s = ProductSearcher.builder().catalog(catalog).intentClassifier(gate).matcher(Matcher.GLOBAL)
          .gateMargin(m).build();
      int nonSkipped = 0;
      int prodSkipped = 0;
      int bothSeg = 0;
      int trueSeg = 0;
      int non = 0;
      for (int i = 0; i < images.size(); i++) {
        ProductSearchResult r = s.search(images.get(i), "q" + i);
        boolean isNon = truth.get(i) == Intent.NON_COMMODITY;
        non += isNon ? 1 : 0;
        if (!r.searched()) {
          if (isNon) {
            nonSkipped++;
          } else {
            prodSkipped++;
          }
        }
        bothSeg += r.gate().segments().size() > 1 ? 1 : 0;
        if (!isNon && r.gate().segments().contains(truth.get(i))) {
          trueSeg++;
        }
      }
      int prod = images.size() - non;
      System.out.printf(Locale.ROOT, "| %.1f | %d / %d (%.1f %%) | %d / %d (%.1f %%) | %d / %d (%.1f %%) | %d / %d (%.1f %%) |%n",
          m, nonSkipped, non, 100.0 * nonSkipped / non, prodSkipped, prod, 100.0 * prodSkipped / prod, bothSeg,
          images.size(), 100.0 * bothSeg / images.size(), trueSeg, prod, 100.0 * trueSeg / prod);
    }
  }

  private static double q(double[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
  }

  private static double mean(List<List<String>> rankings, List<Set<String>> relevant, int k, boolean precision) {
    return ProductSearchEvaluation.mean(rankings, relevant, k, precision);
  }
}
