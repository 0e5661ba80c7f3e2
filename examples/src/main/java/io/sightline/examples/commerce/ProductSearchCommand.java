package io.sightline.examples.commerce;

import io.sightline.commerce.EmbeddingIntentClassifier;
import io.sightline.commerce.Intent;
import io.sightline.commerce.ProductCatalog;
import io.sightline.commerce.ProductMatch;
import io.sightline.commerce.ProductSearchResult;
import io.sightline.commerce.ProductSearcher;
import io.sightline.commerce.RegionResult;
import io.sightline.commerce.ResultFilters;
import io.sightline.core.SightlineException;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.classify.Classification;
import io.sightline.core.detect.Box;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sightline product search --db DIR [--top K] IMAGE...}: one JSON line per image,
 * {@code {"image","intent","category","searched","regionSource","intentScores","matcher","note","regions":[{"box","label",
 * "results":[{"id","score","category","title","link","distance","verified","inliers","instanceScore","queryRegion"}],
 * "removed":{"rank","entropy"}}]}}
 * where {@code intent} is {@code commodity} or {@code non-commodity}, {@code category} is
 * {@code apparel}, {@code other-commodity} or null, and {@code score} is the rank value
 * ({@code 2 - distance} for a global result, see {@link ProductMatch#rankValue()}). The matcher is
 * the one the catalog was built with; {@code note} says why nothing was verified (local, hybrid),
 * else null. Per result, {@code inliers} and {@code instanceScore} (calibrated, 0..1) are the
 * instance evidence (0 and null when instance matching did not consider the product),
 * {@code queryRegion} the {@code [x,y,w,h]} box of a verified product in the photo (else null),
 * and {@code distance} is null under the local matcher. An unreadable image gives
 * {@code {"image","error"}} and exit code 1 after the others.
 * The image embedder is the one recorded in the folder's {@code embedder.json} by the command that
 * built it; {@code --embedder/--preset/--embedder-output}, if given, must name the same one.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
    description = "Search products by photo; non-product photos are answered without a search.")
public final class ProductSearchCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--db", required = true, paramLabel = "DIR", description = "catalog folder from 'product index'")
  Path db;

  @Option(names = "--top", paramLabel = "K", description = "results per region (default: ${DEFAULT-VALUE})")
  int top = 10;

  @Option(names = "--candidates", paramLabel = "N", description = "nearest neighbours fetched per region (default: ${DEFAULT-VALUE})")
  int candidates = 30;

  @Option(names = "--intent-model", paramLabel = "MODEL", description = "intent model (default: the one stored in --db)")
  Path intentModel;

  @Option(names = "--rank-threshold", description = "rank-value threshold, claim 5 (default: ${DEFAULT-VALUE}); negative turns the filter off")
  double rankThreshold = ResultFilters.SEED_RANK_THRESHOLD;

  @Option(names = "--entropy-threshold", description = "category entropy threshold in nats, claim 6 (default: ln 10 = 2.303); negative turns the filter off")
  double entropyThreshold = ResultFilters.DEFAULT_ENTROPY_THRESHOLD;

  @Option(names = "--no-category-order", description = "order by rank value only (claim 7 off)")
  boolean noCategoryOrder;

  @Option(names = "--main-object", description = "other commodities: search the detected main object instead of the whole image")
  boolean mainObject;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "query photos")
  List<Path> images = new ArrayList<>();

  @CommandLine.Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  @Override
  public Integer call() {
    if (top < 1 || candidates < top) {
      throw new CommandLine.ParameterException(spec.commandLine(), "need 1 <= --top <= --candidates");
    }
    if (Double.isNaN(rankThreshold) || Double.isInfinite(rankThreshold)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--rank-threshold must be a finite number: " + rankThreshold);
    }
    if (Double.isNaN(entropyThreshold) || Double.isInfinite(entropyThreshold)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--entropy-threshold must be a finite number: " + entropyThreshold);
    }
    if (!Files.isDirectory(db)) {
      throw new IllegalStateException("no catalog folder " + db + "; run 'sightline product index' first");
    }
    if (!ProductCatalog.exists(db)) {
      // never create an empty catalog (or write anything) in a folder that is not one
      throw new IllegalStateException(db + " is not a product catalog (no catalog.mv.db"
          + (Files.exists(db.resolve("references.mv.db")) ? "; it is a describer reference store" : "")
          + "); run 'sightline product index' first");
    }
    embedderOptions.asked();
    int status = CliSupport.OK;
    try (EmbedderOptions.Choice emb = embedderOptions.open(db);
         ProductCatalog cat = ProductCatalog.builder().directory(db).mustExist(true).embedder(Intent.APPAREL, emb.embedder())
             .embedder(Intent.OTHER_COMMODITY, emb.embedder()).open()) {
      ImageEmbedder embedder = emb.embedder();
      EmbeddingIntentClassifier model = intentModel != null ? EmbeddingIntentClassifier.load(intentModel, embedder)
          : cat.loadIntentModel(embedder).orElseThrow(() -> new IllegalStateException("no intent model in " + db
              + "; pass --intent-model or run 'product index --intent-model MODEL'"));
      ProductSearcher searcher = ProductSearcher.builder().catalog(cat).intentClassifier(model).top(top)
          .candidates(candidates).rankThreshold(rankThreshold < 0 ? null : rankThreshold)
          .entropyThreshold(entropyThreshold < 0 ? null : entropyThreshold).categoryOrdering(!noCategoryOrder).otherCommodityMainObject(mainObject).build();
      for (Path image : images) {
        Map<String, Object> line;
        try {
          line = toJson(searcher.search(image));
        } catch (SightlineException e) {
          line = new LinkedHashMap<>();
          line.put("image", image.toString());
          line.put("error", e.getMessage());
          status = CliSupport.FAILURE;
        }
        CliSupport.printJsonLine(line);
      }
      System.err.println("[product] matcher " + searcher.matcher() + " (stored in the catalog); " + searcher.stats());
    }
    return status;
  }

  /**
   * @param r a search result
   * @return its JSON form (see the class comment)
   */
  public static Map<String, Object> toJson(ProductSearchResult r) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("image", r.image());
    line.put("intent", r.isProduct() ? "commodity" : "non-commodity");
    line.put("category", r.isProduct() ? r.intent().label() : null);
    line.put("searched", r.searched());
    line.put("regionSource", r.regionSource());
    Map<String, Double> scores = new LinkedHashMap<>();
    for (Classification c : r.intentScores()) {
      scores.put(c.label(), Math.round(c.probability() * 1e4) / 1e4);
    }
    line.put("intentScores", scores);
    line.put("matcher", r.matcher().id());
    line.put("note", r.note());
    List<Map<String, Object>> regions = new ArrayList<>();
    for (RegionResult g : r.regions()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("box", box(g.box()));
      m.put("label", g.label());
      List<Map<String, Object>> results = new ArrayList<>();
      for (ProductMatch p : g.results()) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("id", p.id());
        x.put("score", Math.round(p.rankValue() * 1e4) / 1e4);
        x.put("category", p.category());
        x.put("title", p.title());
        x.put("link", p.link());
        x.put("distance", Float.isNaN(p.distance()) ? null : Math.round(p.distance() * 1e4) / 1e4);
        x.put("verified", p.verified());
        x.put("inliers", p.inliers());
        x.put("instanceScore", p.hasInstanceEvidence() ? Math.round(p.instanceScore() * 1e4) / 1e4 : null);
        x.put("queryRegion", p.queryRegion() == null ? null : box(p.queryRegion()));
        results.add(x);
      }
      m.put("results", results);
      Map<String, Object> removed = new LinkedHashMap<>();
      removed.put("rank", g.filters().removedByRank().size());
      removed.put("entropy", g.filters().removedByEntropy().size());
      m.put("removed", removed);
      regions.add(m);
    }
    line.put("regions", regions);
    return line;
  }

  private static List<Long> box(Box b) {
    return List.of(Math.round(b.x()), Math.round(b.y()), Math.round(b.w()), Math.round(b.h()));
  }
}
