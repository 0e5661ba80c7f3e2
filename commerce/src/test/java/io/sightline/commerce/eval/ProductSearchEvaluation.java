package io.sightline.commerce.eval;

import io.sightline.commerce.EmbeddingIntentClassifier;
import io.sightline.commerce.IndexReport;
import io.sightline.commerce.Intent;
import io.sightline.commerce.KnownIntentClassifier;
import io.sightline.core.instance.Matcher;
import io.sightline.commerce.SearcherVariants;
import io.sightline.commerce.ProductCatalog;
import io.sightline.commerce.ProductMatch;
import io.sightline.commerce.ProductSearchResult;
import io.sightline.commerce.ProductSearcher;
import io.sightline.commerce.RegionResult;
import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.classify.ImageClassifier;
import io.sightline.core.detect.Box;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.image.Distortions;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import io.sightline.core.metrics.Metrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Quality evaluation of intent-gated product search on openclipart products with queries made
 * like real shots, and a mixed stream with non-product photos.
 *
 * <p>Catalog: the 64 images of openclipart {@code people/clothing} (category {@code apparel/<sub>})
 * plus other-commodity clipart from 14 object categories (category = top folder), deduplicated by
 * file name. Queries: (a) a catalog product rescaled to 50-80% of a 320x320 frame, rotated by up
 * to 12 degrees, pasted on a random crop of a held-out photo, JPEG 0.7; (b) outfits: 2-3 clothing
 * items, each rotated up to 8 degrees, pasted side by side on a held-out photo, JPEG 0.7;
 * (c) non-product photos: random crops of held-out photos. A control set puts the same products
 * and outfits on plain light studio backdrops instead of photos. The intent model is trained on
 * other photos, other products and other outfits (same generators, disjoint backgrounds).
 *
 * <p>Sections: (1) the gate end to end with the default searcher (the catalog's matcher, hybrid);
 * (2) retrieval with the true intent and the global matcher, with and without each filter;
 * (3) the matchers (global, local, hybrid; whole photo versus region crops for instance
 * matching) with the default filters, plus shots of clipart that is not in the catalog and
 * non-product photos searched as products, where a verified answer is a false alarm.
 *
 * <p>Run: {@code mvn -B -o -q -pl commerce test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.sightline.commerce.eval.ProductSearchEvaluation -Dexec.args="1000 150 40 7"}
 * (catalog size, other-commodity queries, outfit queries, seed; the stream holds as many
 * non-product photos as product queries, i.e. 50%). Data: see {@link DebianData}.
 *
 * <p>With {@code -Deval.only=filters}, section 1 is followed by {@link FilterEvaluation} (gate
 * margins; filter presets none / seed / calibrated per query kind, global and hybrid; main-object
 * crops, and a second catalog built with {@code cropToMainObject(true)}) instead of sections 2
 * and 3; {@code -Deval.only=crop} runs only the second catalog's rows.
 */
public final class ProductSearchEvaluation {
  static final List<String> OTHER_CATEGORIES = List.of("animals", "buildings", "containers", "decorations",
      "education", "electronics", "food", "office", "plants", "recreation", "science", "tools", "transportation",
      "geography");
  static final List<String> TRAIN_PHOTOS = List.of("astronaut.png", "coffee.png", "camera.png", "grass.png",
      "brick.png", "moon.png", "ihc.png", "retina.jpg", "page.png");
  static final List<String> EVAL_PHOTOS = List.of("chelsea.png", "rocket.jpg", "motorcycle_left.png",
      "gravel.png", "hubble_deep_field.jpg", "coins.png", "cell.png", "microaneurysms.png", "color.png");

  private final ImageLoader loader = ImageLoader.defaults();
  private final Random rnd;

  ProductSearchEvaluation(long seed) {
    this.rnd = new Random(seed);
  }

  record Item(String id, Path file, String category) {}

  record Outfit(BufferedImage image, List<String> ids, List<Box> boxes) {}

  record Config(String name, Double rank, Double entropy, boolean ordering, boolean mainObject) {}

  /**
   * @param args catalog size, other-commodity queries, outfit queries, seed
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int catalogSize = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int queries = args.length > 1 ? Integer.parseInt(args[1]) : 150;
    int outfits = args.length > 2 ? Integer.parseInt(args[2]) : 40;
    long seed = args.length > 3 ? Long.parseLong(args[3]) : 7;
    new ProductSearchEvaluation(seed).run(catalogSize, queries, outfits);
  }

  private void run(int catalogSize, int nQueries, int nOutfits) throws Exception {
    long t0 = System.nanoTime();
    Path oc = DebianData.openclipart();
    Path sk = DebianData.skimage();
    List<BufferedImage> trainPhotos = new ArrayList<>();
    for (String p : TRAIN_PHOTOS) {
      trainPhotos.add(loader.load(sk.resolve(p)));
    }
    List<BufferedImage> evalPhotos = new ArrayList<>();
    for (String p : EVAL_PHOTOS) {
      evalPhotos.add(loader.load(sk.resolve(p)));
    }
    // catalog
    Set<String> seen = new HashSet<>();
    List<Item> apparel = new ArrayList<>();
    for (Path f : pngs(oc.resolve("people/clothing"))) {
      if (seen.add(f.getFileName().toString())) {
        Path rel = oc.resolve("people/clothing").relativize(f.getParent());
        String sub = rel.toString().isEmpty() ? "clothing" : rel.getName(0).toString();
        apparel.add(new Item("a" + apparel.size(), f, "apparel/" + sub));
      }
    }
    List<Item> others = new ArrayList<>();
    for (String c : OTHER_CATEGORIES) {
      for (Path f : pngs(oc.resolve(c))) {
        if (seen.add(f.getFileName().toString())) {
          others.add(new Item("", f, c));
        }
      }
    }
    Collections.shuffle(others, rnd);
    int nOther = Math.min(others.size(), catalogSize - apparel.size());
    List<Item> other = new ArrayList<>();
    for (int i = 0; i < nOther; i++) {
      Item it = others.get(i);
      other.add(new Item("o" + i, it.file(), it.category()));
    }
    Path work = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "sightline-commerce-eval"));
    StringBuilder csv = new StringBuilder("id,image,category,title,link\n");
    for (Item it : concat(apparel, other)) {
      csv.append(it.id()).append(',').append(it.file().toAbsolutePath()).append(',').append(it.category())
          .append(',').append(it.file().getFileName().toString().replace(",", " ")).append(",\n");
    }
    Path catalogCsv = Files.writeString(work.resolve("catalog.csv"), csv);
    deleteTree(work.resolve("db"));
    GlobalDescriptorEmbedder embedder = new GlobalDescriptorEmbedder();
    try (ProductCatalog catalog = ProductCatalog.builder().directory(work.resolve("db")).open()) {
      long ti = System.nanoTime();
      // the catalog names files of the extracted Debian package by absolute path: widen the
      // allowed root to that folder (paths are confined to the csv's own folder by default)
      IndexReport report = catalog.index(catalogCsv, oc, ProgressListener.NONE, CancellationToken.NONE);
      double indexSec = (System.nanoTime() - ti) / 1e9;
      System.err.printf(Locale.ROOT, "[eval] catalog: %d apparel + %d other, %d problems, %.1f s%n",
          report.perSegment().get(Intent.APPAREL), report.perSegment().get(Intent.OTHER_COMMODITY),
          report.problems().size(), indexSec);

      // split other products: queried ones vs ones used to train the intent gate (rows the catalog
      // refused, e.g. images over the decoder's pixel budget, are left out)
      Set<String> refused = new HashSet<>();
      report.problems().forEach(p -> refused.add(p.id()));
      report.problems().forEach(p -> System.err.println("[eval] catalog line " + p.line() + ": " + p.message()));
      List<Item> shuffled = new ArrayList<>(other.stream().filter(it -> !refused.contains(it.id())).toList());
      Collections.shuffle(shuffled, rnd);
      List<Item> queryItems = shuffled.subList(0, Math.min(nQueries, shuffled.size()));
      List<Item> trainItems = shuffled.subList(queryItems.size(), Math.min(shuffled.size(), queryItems.size() + 150));

      // intent training set
      List<BufferedImage> tImages = new ArrayList<>();
      List<Intent> tLabels = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        tImages.add(photoCrop(trainPhotos));
        tLabels.add(Intent.NON_COMMODITY);
      }
      for (Item it : trainItems) {
        tImages.add(shot(it, trainPhotos));
        tLabels.add(Intent.OTHER_COMMODITY);
      }
      for (int i = 0; i < 60; i++) {
        tImages.add(outfit(apparel, trainPhotos).image());
        tLabels.add(Intent.APPAREL);
      }
      EmbeddingIntentClassifier gate = EmbeddingIntentClassifier.trainer(embedder).selectLambda(5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100)
          .trainImages(tImages, tLabels, ProgressListener.NONE, CancellationToken.NONE);
      System.err.printf(Locale.ROOT, "[eval] intent gate: %d training images, lambda %s by 5-fold CV (accuracy %.3f)%n",
          tImages.size(), gate.summary().lambda(), gate.summary().validationAccuracy());

      // evaluation stream
      List<BufferedImage> qImages = new ArrayList<>();
      List<Intent> qIntent = new ArrayList<>();
      List<String> qId = new ArrayList<>();
      List<Outfit> qOutfit = new ArrayList<>();
      for (Item it : queryItems) {
        qImages.add(shot(it, evalPhotos));
        qIntent.add(Intent.OTHER_COMMODITY);
        qId.add(it.id());
        qOutfit.add(null);
      }
      for (int i = 0; i < nOutfits; i++) {
        Outfit o = outfit(apparel, evalPhotos);
        qImages.add(o.image());
        qIntent.add(Intent.APPAREL);
        qId.add(null);
        qOutfit.add(o);
      }
      int products = qImages.size();
      for (int i = 0; i < products; i++) {
        qImages.add(photoCrop(evalPhotos));
        qIntent.add(Intent.NON_COMMODITY);
        qId.add(null);
        qOutfit.add(null);
      }
      if (Boolean.getBoolean("eval.dump")) {
        for (int i = 0; i < qImages.size(); i += 10) {
          javax.imageio.ImageIO.write(qImages.get(i), "png", work.resolve("query" + i + ".png").toFile());
        }
      }

      // 1. the gate, end to end
      Map<Intent, int[]> confusion = new LinkedHashMap<>();
      for (Intent i : Intent.values()) {
        confusion.put(i, new int[3]);
      }
      ProductSearcher gated = ProductSearcher.builder().catalog(catalog).intentClassifier(gate).build();
      long gateNanos = 0;
      long searchNanos = 0;
      int searchedCount = 0;
      List<List<String>> e2eRankings = new ArrayList<>();
      List<Set<String>> e2eRelevant = new ArrayList<>();
      for (int i = 0; i < qImages.size(); i++) {
        long a = System.nanoTime();
        gate.classify(qImages.get(i));
        long b = System.nanoTime();
        ProductSearchResult r = gated.search(qImages.get(i), "q" + i);
        long c = System.nanoTime();
        gateNanos += b - a;
        if (r.searched()) {
          searchNanos += (c - b) - (b - a);
          searchedCount++;
        }
        confusion.get(qIntent.get(i))[r.intent().ordinal()]++;
        if (qIntent.get(i) == Intent.OTHER_COMMODITY) {
          e2eRankings.add(r.regions().isEmpty() ? List.of() : ids(r.regions().get(0)));
          e2eRelevant.add(Set.of(qId.get(i)));
        }
      }
      int correct = 0;
      for (Intent i : Intent.values()) {
        correct += confusion.get(i)[i.ordinal()];
      }
      System.out.printf(Locale.ROOT, "%n### Intent gate (stream of %d photos, %d%% non-product)%n%n", qImages.size(),
          Math.round(100.0 * (qImages.size() - products) / qImages.size()));
      System.out.println("| true \\ predicted | non-commodity | apparel | other-commodity |");
      System.out.println("|---|---|---|---|");
      for (Intent i : Intent.values()) {
        int[] row = confusion.get(i);
        System.out.printf(Locale.ROOT, "| %s | %d | %d | %d |%n", i, row[0], row[1], row[2]);
      }
      SearchStatsLine stats = new SearchStatsLine(gated.stats().queries(), gated.stats().skipped());
      System.out.printf(Locale.ROOT, "%ngate: lambda %s chosen by 5-fold cross-validation on its training set (CV accuracy %.3f)%n",
          gate.summary().lambda(), gate.summary().validationAccuracy());
      System.out.printf(Locale.ROOT, "intent accuracy %.3f; searches skipped %d of %d (%.1f%%); non-product photos "
              + "skipped %d of %d; product photos wrongly skipped %d of %d%n",
          correct / (double) qImages.size(), stats.skipped, stats.queries, 100.0 * stats.skipped / stats.queries,
          confusion.get(Intent.NON_COMMODITY)[0], qImages.size() - products,
          confusion.get(Intent.APPAREL)[0] + confusion.get(Intent.OTHER_COMMODITY)[0], products);
      System.out.printf(Locale.ROOT, "gate cost %.2f ms/photo; search cost after the gate %.2f ms/photo (mean of %d "
              + "searched); end-to-end other-commodity P@1 %.3f R@10 %.3f (default searcher, gate errors included)%n",
          gateNanos / 1e6 / qImages.size(), searchNanos / 1e6 / Math.max(1, searchedCount), searchedCount,
          mean(e2eRankings, e2eRelevant, 1, true), mean(e2eRankings, e2eRelevant, 10, false));

      // 2. retrieval with the true intent (oracle gate), with and without each filter
      IdentityHashMap<BufferedImage, Intent> truth = new IdentityHashMap<>();
      for (int i = 0; i < qImages.size(); i++) {
        truth.put(qImages.get(i), qIntent.get(i));
      }
      ImageClassifier oracle = new KnownIntentClassifier("oracle (evaluation only)", 1f,
          truth::get);
      // (truth is filled below for both query sets)
      // studio control set: the same products and outfits on plain light backdrops
      List<BufferedImage> sImages = new ArrayList<>();
      List<Outfit> sOutfit = new ArrayList<>();
      for (int i = 0; i < products; i++) {
        if (qIntent.get(i) == Intent.OTHER_COMMODITY) {
          Item it = queryItems.get(i);
          sImages.add(shot(it, null));
          sOutfit.add(null);
        } else {
          Outfit o = outfit(apparel, null);
          sImages.add(o.image());
          sOutfit.add(o);
        }
        truth.put(sImages.get(i), qIntent.get(i));
      }
      if (System.getProperty("eval.only", "").matches("filters|crop")) {
        boolean all = "filters".equals(System.getProperty("eval.only"));
        // filter presets per query kind and the gate margin, in one run (FilterEvaluation)
        if (all) {
          FilterEvaluation.gateMargins(catalog, gate, qImages, qIntent);
        }
        List<FilterEvaluation.Query> fq = new ArrayList<>();
        for (Item it : queryItems) {
          BufferedImage exact = loader.load(it.file());
          truth.put(exact, Intent.OTHER_COMMODITY);
          fq.add(new FilterEvaluation.Query(exact, "exact other", List.of(it.id()), null));
        }
        for (Item it : apparel) {
          BufferedImage exact = loader.load(it.file());
          truth.put(exact, Intent.APPAREL);
          fq.add(new FilterEvaluation.Query(exact, "exact garment", List.of(it.id()), null));
        }
        for (int i = 0; i < products; i++) {
          boolean o = qIntent.get(i) == Intent.OTHER_COMMODITY;
          fq.add(new FilterEvaluation.Query(sImages.get(i), o ? "studio other" : "studio garment",
              o ? List.of(qId.get(i)) : sOutfit.get(i).ids(), o ? null : sOutfit.get(i).boxes()));
          fq.add(new FilterEvaluation.Query(qImages.get(i), o ? "photo other" : "photo garment",
              o ? List.of(qId.get(i)) : qOutfit.get(i).ids(), o ? null : qOutfit.get(i).boxes()));
        }
        if (all) {
          FilterEvaluation.presets(catalog, oracle, fq, List.of("exact other", "exact garment", "studio other",
              "studio garment", "photo other", "photo garment"));
          FilterEvaluation.mainObject(catalog, oracle, fq, List.of("exact other", "studio other", "photo other"));
        }
        deleteTree(work.resolve("db-crop"));
        try (ProductCatalog cropCatalog = ProductCatalog.builder().directory(work.resolve("db-crop"))
            .matcher(Matcher.HYBRID).cropToMainObject(true).open()) {
          cropCatalog.index(catalogCsv, oc, ProgressListener.NONE, CancellationToken.NONE);
          FilterEvaluation.mainObjectCatalog(cropCatalog, oracle, fq, List.of("exact other", "studio other", "photo other"));
        }
        System.out.printf(Locale.ROOT, "%ntotal %.1f s (indexing %.1f s)%n", (System.nanoTime() - t0) / 1e9, indexSec);
        return;
      }
      double ln10 = Math.log(10);
      List<Config> configs = List.of(
          new Config("nearest neighbours only (baseline)", null, null, false, false),
          new Config("+ rank filter 1.08 (claim 5)", 1.08, null, false, false),
          new Config("+ rank filter 1.60", 1.60, null, false, false),
          new Config("+ entropy filter ln10 (claim 6)", null, ln10, false, false),
          new Config("+ category ordering (claim 7)", null, null, true, false),
          new Config("all three (default searcher)", 1.08, ln10, true, false),
          new Config("main-object crop, no filters", null, null, false, true),
          new Config("main-object crop + all three", 1.08, ln10, true, true));
      for (int set = 0; set < 2; set++) {
      List<BufferedImage> images = set == 0 ? qImages : sImages;
      List<Outfit> outfitsOf = set == 0 ? qOutfit : sOutfit;
      System.out.printf(Locale.ROOT, "%n### Retrieval with the true intent, %s (%d other-commodity queries, %d outfits "
          + "= %s garments; catalog %d)%n%n", set == 0 ? "queries on photo backgrounds" : "control: the same products on plain studio backdrops",
          queryItems.size(), nOutfits,
          outfitsOf.stream().limit(products).filter(o -> o != null).mapToInt(o -> o.ids().size()).sum(), report.catalogSize());
      System.out.println("| configuration | other P@1 | other R@10 | garment P@1 | garment R@10 | garments localised "
          + "(IoU >= 0.5) | mean results kept |");
      System.out.println("|---|---|---|---|---|---|---|");
      for (Config cfg : configs) {
        ProductSearcher s = ProductSearcher.builder().catalog(catalog).intentClassifier(oracle).matcher(Matcher.GLOBAL)
            .rankThreshold(cfg.rank()).entropyThreshold(cfg.entropy()).categoryOrdering(cfg.ordering())
            .otherCommodityMainObject(cfg.mainObject()).candidates(30).top(10).build();
        List<List<String>> oRank = new ArrayList<>();
        List<Set<String>> oRel = new ArrayList<>();
        List<List<String>> gRank = new ArrayList<>();
        List<Set<String>> gRel = new ArrayList<>();
        int localised = 0;
        long kept = 0;
        long regions = 0;
        for (int i = 0; i < products; i++) {
          ProductSearchResult r = s.search(images.get(i), "q" + i);
          for (RegionResult g : r.regions()) {
            kept += g.results().size();
            regions++;
          }
          if (qIntent.get(i) == Intent.OTHER_COMMODITY) {
            oRank.add(ids(r.regions().get(0)));
            oRel.add(Set.of(qId.get(i)));
          } else {
            Outfit o = outfitsOf.get(i);
            for (int k = 0; k < o.ids().size(); k++) {
              RegionResult best = null;
              double bestIou = 0;
              for (RegionResult g : r.regions()) {
                double iou = g.box().iou(o.boxes().get(k));
                if (iou > bestIou) {
                  bestIou = iou;
                  best = g;
                }
              }
              if (best != null && bestIou >= 0.5) {
                localised++;
                gRank.add(ids(best));
              } else {
                gRank.add(List.of());
              }
              gRel.add(Set.of(o.ids().get(k)));
            }
          }
        }
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %d / %d | %.1f |%n", cfg.name(),
            mean(oRank, oRel, 1, true), mean(oRank, oRel, 10, false), mean(gRank, gRel, 1, true),
            mean(gRank, gRel, 10, false), localised, gRel.size(), kept / (double) Math.max(1, regions));
      }
      }
      // 3. matchers: unknown objects (clipart never stored) and non-product photos, searched as products
      List<BufferedImage> unknown = new ArrayList<>();
      List<String> unknownNames = new ArrayList<>();
      for (int i = nOther; i < others.size() && unknown.size() < queryItems.size(); i++) {
        try {
          unknown.add(shot(others.get(i), evalPhotos));
          unknownNames.add(oc.relativize(others.get(i).file()).toString());
        } catch (io.sightline.core.SightlineException e) {
          System.err.println("[eval] unknown object left out: " + e.getMessage());
        }
      }
      List<BufferedImage> nonProduct = new ArrayList<>(qImages.subList(products, qImages.size()));
      compareMatchers(catalog, products, qIntent, qId, qImages, qOutfit, sImages, sOutfit, truth, unknown, unknownNames,
          nonProduct);
      System.out.printf(Locale.ROOT, "%ntotal %.1f s (indexing %.1f s)%n", (System.nanoTime() - t0) / 1e9, indexSec);
    }
  }

  record SearchStatsLine(long queries, long skipped) {}

  record Variant(String name, Matcher matcher, boolean regionCrops) {}

  /**
   * Global, local and hybrid matching on the same catalog (default filters, oracle intent): top-1
   * and recall of known products, verified answers for objects never stored and for non-product
   * photos searched as products (a verified answer there is a false positive), time per query.
   */
  private static void compareMatchers(ProductCatalog catalog, int products, List<Intent> qIntent, List<String> qId,
      List<BufferedImage> qImages, List<Outfit> qOutfit, List<BufferedImage> sImages, List<Outfit> sOutfit,
      IdentityHashMap<BufferedImage, Intent> truth, List<BufferedImage> unknown, List<String> unknownNames,
      List<BufferedImage> nonProduct) {
    for (BufferedImage u : unknown) {
      truth.put(u, Intent.OTHER_COMMODITY);
    }
    for (BufferedImage u : nonProduct) {
      truth.put(u, Intent.OTHER_COMMODITY);
    }
    ImageClassifier oracle = new KnownIntentClassifier("oracle (evaluation only)", 1f, truth::get);
    List<Variant> variants = List.of(new Variant("global", Matcher.GLOBAL, false),
        new Variant("local (whole photo)", Matcher.LOCAL, false), new Variant("local (region crops)", Matcher.LOCAL, true),
        new Variant("hybrid (whole photo)", Matcher.HYBRID, false), new Variant("hybrid (region crops)", Matcher.HYBRID, true));
    for (int set = 0; set < 2; set++) {
      List<BufferedImage> images = set == 0 ? qImages : sImages;
      List<Outfit> outfitsOf = set == 0 ? qOutfit : sOutfit;
      System.out.printf(Locale.ROOT, "%n### Matchers, %s (default filters, true intent; unknown = %d shots of clipart "
          + "never stored, non-product = %d photo crops searched as other-commodity)%n%n",
          set == 0 ? "queries on photo backgrounds" : "control: plain studio backdrops", unknown.size(), nonProduct.size());
      System.out.println("| matcher | other P@1 | other R@10 | other verified top-1 right / wrong | garment P@1 | "
          + "garment R@10 | garments verified (any region) | unknown: verified answers | non-product: verified answers "
          + "| ms / query |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|");
      for (Variant v : variants) {
        ProductSearcher.Builder b = ProductSearcher.builder().catalog(catalog).intentClassifier(oracle).matcher(v.matcher());
        ProductSearcher s = (v.regionCrops() ? SearcherVariants.regionCrops(b) : b).build();
        List<List<String>> oRank = new ArrayList<>();
        List<Set<String>> oRel = new ArrayList<>();
        List<List<String>> gRank = new ArrayList<>();
        List<Set<String>> gRel = new ArrayList<>();
        int vRight = 0;
        int vWrong = 0;
        int gVerified = 0;
        long nanos = 0;
        int n = 0;
        for (int i = 0; i < products; i++) {
          long a = System.nanoTime();
          ProductSearchResult r = s.search(images.get(i), "q" + i);
          nanos += System.nanoTime() - a;
          n++;
          if (qIntent.get(i) == Intent.OTHER_COMMODITY) {
            List<ProductMatch> res = r.regions().get(0).results();
            oRank.add(res.stream().map(ProductMatch::id).toList());
            oRel.add(Set.of(qId.get(i)));
            if (!res.isEmpty() && res.get(0).verified()) {
              if (res.get(0).id().equals(qId.get(i))) {
                vRight++;
              } else {
                vWrong++;
              }
            }
          } else {
            Outfit o = outfitsOf.get(i);
            Set<String> verifiedIds = new HashSet<>();
            r.regions().forEach(g -> g.results().stream().filter(ProductMatch::verified)
                .forEach(m -> verifiedIds.add(m.id())));
            for (int k = 0; k < o.ids().size(); k++) {
              gVerified += verifiedIds.contains(o.ids().get(k)) ? 1 : 0;
              // the region that best covers the garment (IoU >= 0.3), else none
              RegionResult best = null;
              double bestIou = 0.3;
              for (RegionResult g : r.regions()) {
                double iou = g.box().iou(o.boxes().get(k));
                if (iou >= bestIou) {
                  bestIou = iou;
                  best = g;
                }
              }
              gRank.add(best == null ? List.of() : ids(best));
              gRel.add(Set.of(o.ids().get(k)));
            }
          }
        }
        int unknownVerified = 0;
        for (int i = 0; i < unknown.size(); i++) {
          BufferedImage u = unknown.get(i);
          long a = System.nanoTime();
          ProductSearchResult ur = s.search(u, "unknown");
          unknownVerified += ur.verifiedCount() > 0 ? 1 : 0;
          if (ur.verifiedCount() > 0 && set == 0 && v.matcher() == Matcher.LOCAL && !v.regionCrops()) {
            ProductMatch m = ur.regions().get(0).results().get(0);
            System.err.println("[eval] unknown object " + unknownNames.get(i) + " verified as " + m.image()
                + " (" + m.inliers() + " inliers)");
          }
          nanos += System.nanoTime() - a;
          n++;
        }
        int nonProductVerified = 0;
        for (BufferedImage u : nonProduct) {
          long a = System.nanoTime();
          nonProductVerified += s.search(u, "non-product").verifiedCount() > 0 ? 1 : 0;
          nanos += System.nanoTime() - a;
          n++;
        }
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %d / %d | %.3f | %.3f | %d / %d | %d / %d | %d / %d | %.0f |%n",
            v.name(), mean(oRank, oRel, 1, true), mean(oRank, oRel, 10, false), vRight, vWrong,
            mean(gRank, gRel, 1, true), mean(gRank, gRel, 10, false), gVerified, gRel.size(), unknownVerified, unknown.size(), nonProductVerified, nonProduct.size(),
            nanos / 1e6 / n);
      }
    }
  }

  private static List<String> ids(RegionResult g) {
    return g.results().stream().map(ProductMatch::id).toList();
  }

  static double mean(List<List<String>> rankings, List<Set<String>> relevant, int k, boolean precision) {
    if (rankings.isEmpty()) {
      return Double.NaN;
    }
    double s = 0;
    for (int i = 0; i < rankings.size(); i++) {
      s += precision ? Metrics.precisionAtK(rankings.get(i), relevant.get(i), k)
          : Metrics.recallAtK(rankings.get(i), relevant.get(i), k);
    }
    return s / rankings.size();
  }

  private BufferedImage photoCrop(List<BufferedImage> photos) {
    BufferedImage p = photos.get(rnd.nextInt(photos.size()));
    int w = p.getWidth();
    int h = p.getHeight();
    int cw = (int) (w * (0.4 + 0.5 * rnd.nextDouble()));
    int ch = (int) (h * (0.4 + 0.5 * rnd.nextDouble()));
    BufferedImage c = ImageOps.crop(p, rnd.nextInt(w - cw + 1), rnd.nextInt(h - ch + 1), cw, ch);
    return Distortions.jpeg(ImageOps.resize(c, 320, 320 * ch / cw), 0.7f);
  }

  private BufferedImage background(List<BufferedImage> photos, int w, int h) {
    if (photos == null) { // a plain studio backdrop: light, slightly tinted, mild sensor noise
      BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      int base = 215 + rnd.nextInt(35);
      int tr = rnd.nextInt(10);
      int tb = rnd.nextInt(10);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int n = (int) (rnd.nextGaussian() * 3);
          int r = Math.max(0, Math.min(255, base - tr + n));
          int g = Math.max(0, Math.min(255, base + n));
          int b = Math.max(0, Math.min(255, base - tb + n));
          img.setRGB(x, y, (r << 16) | (g << 8) | b);
        }
      }
      return img;
    }
    BufferedImage p = photos.get(rnd.nextInt(photos.size()));
    int cw = Math.min(p.getWidth(), Math.max(32, (int) (p.getWidth() * (0.4 + 0.5 * rnd.nextDouble()))));
    int ch = Math.min(p.getHeight(), Math.max(32, cw * h / w));
    BufferedImage c = ImageOps.crop(p, rnd.nextInt(p.getWidth() - cw + 1), rnd.nextInt(p.getHeight() - ch + 1), cw, ch);
    return ImageOps.toRgb(ImageOps.resize(c, w, h));
  }

  /** Pastes the item (alpha kept), scaled so its long side is {@code size}, rotated, with centre (cx, cy); returns its box. */
  private Box paste(BufferedImage canvas, Item it, int size, double degrees, double cx, double cy) {
    io.sightline.core.image.ImageInfo info = loader.probe(it.file());
    double scale = size / (double) Math.max(info.width(), info.height());
    return io.sightline.commerce.NewShots.paste(canvas, it.file(), scale, degrees, cx, cy);
  }

  /** A product shot: the item at 50-80% of a 320x320 photo crop, rotated up to 12 degrees, JPEG 0.7. */
  BufferedImage shot(Item it, List<BufferedImage> photos) {
    BufferedImage bg = background(photos, 320, 320);
    int size = (int) (320 * (0.5 + 0.3 * rnd.nextDouble()));
    double margin = size / 2.0 + 8;
    double cx = margin + rnd.nextDouble() * Math.max(0, 320 - 2 * margin);
    double cy = margin + rnd.nextDouble() * Math.max(0, 320 - 2 * margin);
    paste(bg, it, size, (rnd.nextDouble() * 2 - 1) * 12, cx, cy);
    return Distortions.jpeg(bg, 0.7f);
  }

  /** 2-3 clothing items side by side on a 480x320 photo crop. */
  private Outfit outfit(List<Item> apparel, List<BufferedImage> photos) {
    int k = 2 + rnd.nextInt(2);
    BufferedImage bg = background(photos, 480, 320);
    List<String> ids = new ArrayList<>();
    List<Box> boxes = new ArrayList<>();
    Set<Integer> used = new HashSet<>();
    double slot = 480.0 / k;
    for (int i = 0; i < k; i++) {
      int pick;
      do {
        pick = rnd.nextInt(apparel.size());
      } while (!used.add(pick));
      Item it = apparel.get(pick);
      int size = (int) (Math.min(slot, 320) * (0.65 + 0.2 * rnd.nextDouble()));
      Box b = paste(bg, it, size, (rnd.nextDouble() * 2 - 1) * 8, slot * i + slot / 2, 160 + (rnd.nextDouble() * 2 - 1) * 30);
      ids.add(it.id());
      boxes.add(b);
    }
    return new Outfit(Distortions.jpeg(bg, 0.7f), ids, boxes);
  }

  static List<Path> pngs(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  static void deleteTree(Path dir) throws Exception {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Collections.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
