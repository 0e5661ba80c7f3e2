package io.sightline.examples.commerce;

import io.sightline.commerce.EmbeddingIntentClassifier;
import io.sightline.commerce.FilterPreset;
import io.sightline.commerce.FilterTrace;
import io.sightline.commerce.GateDecision;
import io.sightline.commerce.Intent;
import io.sightline.commerce.InvalidQueryException;
import io.sightline.commerce.ProductFilter;
import io.sightline.commerce.ProductQuery;
import io.sightline.commerce.RemovedMatch;
import io.sightline.commerce.ProductCatalog;
import io.sightline.commerce.ProductMatch;
import io.sightline.commerce.ProductSearchResult;
import io.sightline.commerce.ProductSearcher;
import io.sightline.commerce.RegionResult;
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
 * {@code sightline product search --db DIR [--top K] [--filters none|seed|calibrated] [--where EXPR]...
 * [--offset N] [--limit N] [--no-gate | --intent SEGMENT | --gate-margin M] IMAGE...}: one JSON line per image,
 * {@code {"image","intent","category","searched","regionSource","intentScores","matcher","note",
 * "gate":{"mode","margin","uncertain","segments"},"regions":[{"box","label","segment",
 * "results":[{"id","score","category","title","link","distance","verified","inliers","instanceScore","queryRegion"}],
 * "filters":{"maxDistance","rankThreshold","entropyThreshold","categoryOrdering","pinned","total","offset"},
 * "removed":{"distance","rank","entropy","duplicate","attributes"}}]}} where each {@code removed} list
 * holds {@code {"id","reason"}} for every result that step took out. {@code intent} is
 * {@code commodity} or {@code non-commodity} (commodity when the gate is off), {@code category} is
 * the top intent's segment ({@code apparel} or {@code other-commodity}; null when non-commodity or
 * the gate is off; an unsure gate searches both segments, see {@code gate.segments} and each
 * region's {@code segment}), and {@code score} is the rank value
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

  @Option(names = "--filters", paramLabel = "none|seed|calibrated",
      description = "filter preset (default: calibrated: the best match of each region is never removed or demoted)")
  String filters = "calibrated";

  @Option(names = "--max-distance", paramLabel = "D",
      description = "similar image set: cosine distance <= D, in [0, 2] (default: the preset's)")
  Double maxDistance;

  @Option(names = "--rank-threshold", description = "rank-value threshold (1 + cosine), claim 5 (default: the preset's); negative turns the filter off")
  Double rankThreshold;

  @Option(names = "--entropy-threshold", description = "category entropy threshold in nats, claim 6 (default: the preset's, ln 10 = 2.303); negative turns the filter off")
  Double entropyThreshold;

  @Option(names = "--no-category-order", description = "order by rank value only (claim 7 off)")
  boolean noCategoryOrder;

  @Option(names = "--where", paramLabel = "EXPR",
      description = "attribute filter, repeatable (all must hold): KEY=VALUE, KEY!=VALUE, KEY<=N, KEY>=N, KEY<N, KEY>N; "
          + "KEY 'category' matches the category or a path below it")
  List<String> where = new ArrayList<>();

  @Option(names = "--offset", paramLabel = "N", description = "results to skip per region (paging; default: 0)")
  int offset;

  @Option(names = "--limit", paramLabel = "N", description = "results per region on this page (default: --top)")
  Integer limit;

  @Option(names = "--no-dedupe", description = "keep a product in every region that finds it")
  boolean noDedupe;

  @Option(names = "--no-gate", description = "skip the intent gate: search every photo in both segments (no intent model needed)")
  boolean noGate;

  @Option(names = "--intent", paramLabel = "apparel|other-commodity",
      description = "fixed intent for a catalog of one kind: search every photo in this segment (no intent model needed)")
  String fixedIntent;

  @Option(names = "--gate-margin", paramLabel = "M",
      description = "search both segments when the top intent leads by less than M, in [0, 1] (default: 0.2; 0 = a switch)")
  Double gateMargin;

  @Option(names = "--main-object", description = "other commodities: search the detected main object instead of the whole image "
      + "(default: as the catalog was built, see 'product index --crop-main-object')")
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
    if (rankThreshold != null && !Double.isFinite(rankThreshold)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--rank-threshold must be a finite number: " + rankThreshold);
    }
    if (entropyThreshold != null && !Double.isFinite(entropyThreshold)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--entropy-threshold must be a finite number: " + entropyThreshold);
    }
    if (maxDistance != null && !(maxDistance >= 0 && maxDistance <= 2)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--max-distance must be in [0, 2]: " + maxDistance);
    }
    if (gateMargin != null && !(gateMargin >= 0 && gateMargin <= 1)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--gate-margin must be in [0, 1]: " + gateMargin);
    }
    if (offset < 0 || (limit != null && limit < 1)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "need --offset >= 0 and --limit >= 1");
    }
    if (noGate && fixedIntent != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--no-gate and --intent exclude each other");
    }
    FilterPreset preset;
    Intent fixed = null;
    ProductQuery query;
    try {
      preset = FilterPreset.parse(filters);
      if (fixedIntent != null) {
        fixed = Intent.parse(fixedIntent);
        if (!fixed.isCommodity()) {
          throw new IllegalArgumentException("a fixed intent must be apparel or other-commodity, not " + fixedIntent);
        }
      }
      ProductFilter f = null;
      for (String w : where) {
        ProductFilter one = ProductFilter.parse(w);
        f = f == null ? one : f.and(one);
      }
      query = new ProductQuery(f, offset, limit == null ? 0 : limit);
    } catch (IllegalArgumentException | InvalidQueryException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    CliSupport.requireFolder(spec, db, "--db", "build one with 'sightline product index'");
    CliSupport.requireFile(spec, intentModel, "--intent-model");
    if (!ProductCatalog.exists(db)) {
      // never create an empty catalog (or write anything) in a folder that is not one
      throw new CliSupport.Failure(db + " is not a product catalog (no catalog.mv.db"
          + (Files.exists(db.resolve("references.mv.db")) ? "; it is a describer reference store" : "")
          + ")", "build one with 'sightline product index'");
    }
    embedderOptions.asked();
    int status = CliSupport.OK;
    try (EmbedderOptions.Choice emb = embedderOptions.open(db);
         ProductCatalog cat = ProductCatalog.builder().directory(db).mustExist(true).readOnly(true)
             .vectorIndex(ProductIndexCommand.vectorIndexes(db, false)).embedder(Intent.APPAREL, emb.embedder())
             .embedder(Intent.OTHER_COMMODITY, emb.embedder()).open()) {
      ImageEmbedder embedder = emb.embedder();
      ProductSearcher.Builder b = ProductSearcher.builder().catalog(cat).top(top).candidates(candidates).filters(preset)
          .deduplicate(!noDedupe);
      if (mainObject) {
        b.otherCommodityMainObject(true); // else: as the catalog was built (product index --crop-main-object)
      }
      if (noGate) {
        b.withoutGate();
      } else if (fixed != null) {
        b.fixedIntent(fixed);
      } else {
        b.intentClassifier(intentModel != null ? EmbeddingIntentClassifier.load(intentModel, embedder)
            : cat.loadIntentModel(embedder).orElseThrow(() -> new CliSupport.Failure("no intent model in " + db,
                "--intent-model MODEL, 'sightline product index --intent-model MODEL', or search without the gate "
                + "(--no-gate, --intent apparel|other-commodity)")));
      }
      if (gateMargin != null) {
        b.gateMargin(gateMargin);
      }
      if (maxDistance != null) {
        b.maxDistance(maxDistance);
      }
      if (rankThreshold != null) {
        b.rankThreshold(rankThreshold < 0 ? null : rankThreshold);
      }
      if (entropyThreshold != null) {
        b.entropyThreshold(entropyThreshold < 0 ? null : entropyThreshold);
      }
      if (noCategoryOrder) {
        b.categoryOrdering(false);
      }
      ProductSearcher searcher = b.build();
      for (Path image : images) {
        Map<String, Object> line;
        try {
          line = toJson(searcher.search(image, query));
        } catch (SightlineException | OutOfMemoryError e) {
          line = new LinkedHashMap<>();
          line.put("image", image.toString());
          line.put("error", e instanceof OutOfMemoryError oom ? CliSupport.outOfMemory(oom) : e.getMessage());
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
    line.put("category", r.intent() != null && r.intent().isCommodity() ? r.intent().label() : null);
    line.put("searched", r.searched());
    line.put("regionSource", r.regionSource());
    Map<String, Double> scores = new LinkedHashMap<>();
    for (Classification c : r.intentScores()) {
      scores.put(c.label(), Math.round(c.probability() * 1e4) / 1e4);
    }
    line.put("intentScores", scores);
    line.put("matcher", r.matcher().id());
    line.put("note", r.note());
    GateDecision gd = r.gate();
    Map<String, Object> gate = new LinkedHashMap<>();
    gate.put("mode", gd.mode().name().toLowerCase(java.util.Locale.ROOT));
    gate.put("margin", Double.isNaN(gd.margin()) ? null : Math.round(gd.margin() * 1e4) / 1e4);
    gate.put("uncertain", gd.uncertain());
    gate.put("segments", gd.segments().stream().map(Intent::label).toList());
    line.put("gate", gate);
    List<Map<String, Object>> regions = new ArrayList<>();
    for (RegionResult g : r.regions()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("box", box(g.box()));
      m.put("label", g.label());
      m.put("segment", g.segment().label());
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
      FilterTrace t = g.filters();
      Map<String, Object> applied = new LinkedHashMap<>();
      applied.put("maxDistance", t.maxDistance());
      applied.put("rankThreshold", t.rankThreshold());
      applied.put("entropyThreshold", t.entropyThreshold() == null ? null : Math.round(t.entropyThreshold() * 1e4) / 1e4);
      applied.put("categoryOrdering", t.categoryOrdering());
      applied.put("pinned", t.pinned());
      applied.put("total", t.total());
      applied.put("offset", t.offset());
      m.put("filters", applied);
      Map<String, Object> removed = new LinkedHashMap<>();
      removed.put("distance", removed(t.removedByDistance()));
      removed.put("rank", removed(t.removedByRank()));
      removed.put("entropy", removed(t.removedByEntropy()));
      removed.put("duplicate", removed(t.removedAsDuplicate()));
      removed.put("attributes", removed(t.removedByAttributes()));
      m.put("removed", removed);
      regions.add(m);
    }
    line.put("regions", regions);
    return line;
  }

  private static List<Map<String, Object>> removed(List<RemovedMatch> list) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (RemovedMatch x : list) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("id", x.id());
      e.put("reason", x.reason());
      out.add(e);
    }
    return out;
  }

  private static List<Long> box(Box b) {
    return List.of(Math.round(b.x()), Math.round(b.y()), Math.round(b.w()), Math.round(b.h()));
  }
}
