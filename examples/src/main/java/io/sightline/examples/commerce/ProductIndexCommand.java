package io.sightline.examples.commerce;

import io.sightline.commerce.EmbeddingIntentClassifier;
import io.sightline.commerce.IndexReport;
import io.sightline.commerce.Intent;
import io.sightline.core.instance.Matcher;
import io.sightline.commerce.ProductCatalog;
import io.sightline.commerce.RowProblem;
import io.sightline.core.CancellationToken;
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

/**
 * {@code sightline product index --catalog catalog.csv --db DIR [--matcher global|local|hybrid]
 * [--intent-model MODEL]}: indexes the catalog (rows that cannot be indexed are reported by line
 * on stderr and in the output) and stores the intent model in the catalog folder. The matcher is
 * chosen when the catalog is created (default {@link Matcher#DEFAULT}) and stored; an existing
 * catalog keeps its own, and naming another fails. Prints
 * {@code {"db","indexed","replaced","apparel","otherCommodity","catalogSize","problems":[{"line","id","message"}],
 * "intentModel","matcher","cropMainObject","embedder","withoutLocalFeatures":[id...]}}.
 * With {@code --embedder FILE.onnx --preset NAME [--embedder-output NAME]} both segments' vectors
 * (and the intent model, which must have been trained with the same embedder) come from that ONNX
 * model; the choice is recorded in {@code DIR/embedder.json} and {@code product search} uses it
 * without being told.
 */
@Command(name = "index", mixinStandardHelpOptions = true,
    description = "Index a product catalog (catalog.csv: id,image,category,title,link).")
public final class ProductIndexCommand implements Callable<Integer> {
  @Option(names = "--allowed-root", paramLabel = "DIR",
      description = "folder that image paths in the input file may point into (default: the input file's own folder; "
          + "paths outside it, absolute or via '..' or symlinks, are refused)")
  Path allowedRoot;

  @Option(names = "--catalog", required = true, paramLabel = "catalog.csv", description = "the catalog")
  Path catalog;

  @Option(names = "--db", required = true, paramLabel = "DIR", description = "catalog folder (created or extended)")
  Path db;

  @Option(names = "--intent-model", paramLabel = "MODEL", description = "intent model from 'product train-intent', stored with the catalog")
  Path intentModel;

  @Option(names = "--matcher", paramLabel = "global|local|hybrid",
      description = "how products are found: global (look-alike embedding), local (the same product in a new photo, "
          + "verified) or hybrid (both); stored with a new catalog (default: hybrid); an existing catalog keeps its own")
  String matcher;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--categories", split = ",", paramLabel = "CAT",
      description = "known categories; rows with another category are reported (default: any)")
  List<String> categories;

  @Option(names = "--crop-main-object",
      description = "new catalog: embed each product image as its main object, as 'product search' then crops "
          + "other-commodity queries (query and catalog processed alike); stored with the catalog")
  boolean cropMainObject;

  @Option(names = "--vector-index", description = VECTOR_INDEX_HELP)
  boolean vectorIndex;

  @CommandLine.Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  /** Folder of the Lucene indexes in a catalog folder. */
  static final String VECTORS = "vectors";

  /** Help of the --vector-index option of 'product index' and 'product sync'. */
  static final String VECTOR_INDEX_HELP = "keep the catalog's vectors in on-disk Lucene indexes (DIR/" + VECTORS
      + "/<segment>) instead of HNSW files loaded into memory: each write commits only its own changes; the other"
      + " product commands use them whenever DIR/" + VECTORS + " exists";

  @Override
  public Integer call() {
    embedderOptions.asked();
    CliSupport.requireFile(spec, catalog, "--catalog");
    CliSupport.requireFile(spec, intentModel, "--intent-model");
    CliSupport.requireFolder(spec, allowedRoot, "--allowed-root", null);
    ProductCatalog.Builder b = ProductIndexCommand.catalogBuilder(spec, db, cropMainObject, matcher, vectorIndex);
    if (categories != null) {
      b.knownCategories(categories);
    }
    try (EmbedderOptions.Choice emb = embedderOptions.open(db)) {
      EmbeddingIntentClassifier model = intentModel == null ? null
          : EmbeddingIntentClassifier.load(intentModel, emb.embedder());
      b.embedder(Intent.APPAREL, emb.embedder()).embedder(Intent.OTHER_COMMODITY, emb.embedder());
      return index(b, model, emb);
    }
  }

  private int index(ProductCatalog.Builder b, EmbeddingIntentClassifier model, EmbedderOptions.Choice emb) {
    try (ProductCatalog cat = b.open()) {
      emb.record(db);
      IndexReport r = cat.index(catalog, allowedRoot, CliSupport.progressBar(), CancellationToken.NONE);
      if (model != null) {
        cat.saveIntentModel(model);
      }
      List<Map<String, Object>> problems = reportProblems(catalog, r.problems());
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("db", db.toString());
      line.put("indexed", r.indexed());
      line.put("replaced", r.replaced());
      line.put("apparel", r.perSegment().getOrDefault(Intent.APPAREL, 0));
      line.put("otherCommodity", r.perSegment().getOrDefault(Intent.OTHER_COMMODITY, 0));
      line.put("catalogSize", r.catalogSize());
      line.put("problems", problems);
      line.put("intentModel", model == null ? null : cat.intentModelFile().toString());
      line.put("matcher", cat.matcher().id());
      line.put("cropMainObject", cat.cropsToMainObject());
      line.put("embedder", emb.embedder().id());
      line.put("vectorIndex", vectorIndexFolder(db));
      if (!r.withoutLocalFeatures().isEmpty()) {
        CliSupport.error(catalog.toString(), r.withoutLocalFeatures().size() + " product(s) have too few local"
            + " features to be matched by instance and are found only by their global vector: "
            + String.join(", ", r.withoutLocalFeatures().stream().limit(10).toList())
            + (r.withoutLocalFeatures().size() > 10 ? ", ..." : ""), null);
      }
      line.put("withoutLocalFeatures", r.withoutLocalFeatures());
      CliSupport.printJsonLine(line);
    }
    return CliSupport.OK;
  }

  /**
   * Reports each catalog row left out as one error line on stderr.
   *
   * @return the rows as JSON objects (line, id, message) for the command's output
   */
  static List<Map<String, Object>> reportProblems(Path catalog, List<RowProblem> rows) {
    List<Map<String, Object>> problems = new ArrayList<>();
    for (RowProblem p : rows) {
      CliSupport.error(catalog + ":" + p.line(), p.message(), hintFor(p.message()));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("line", p.line());
      m.put("id", p.id());
      m.put("message", p.message());
      problems.add(m);
    }
    return problems;
  }

  /** The hint of a catalog row problem: the option that lets its image path in, or none. */
  static String hintFor(String message) {
    return CliSupport.outsideAllowedRoot(message) ? "--allowed-root DIR" : null;
  }

  /**
   * The on-disk Lucene indexes of a catalog folder ({@code DIR/vectors/<segment>}), used by every
   * product command once 'product index --vector-index' or 'product sync --vector-index' made them.
   *
   * @param db the catalog folder
   * @param asked whether the command was asked to create them
   * @return the factories, or null when none were asked for and the folder has no such indexes
   */
  static java.util.function.Function<Intent, io.sightline.core.index.VectorIndexFactory> vectorIndexes(Path db,
      boolean asked) {
    Path dir = db.resolve(VECTORS);
    return asked || Files.isDirectory(dir)
        ? s -> io.sightline.index.lucene.LuceneVectorIndex.factory(dir.resolve(s.label())) : null;
  }

  /** @return the catalog folder's Lucene index folder for the JSON output, or null when it has none */
  static String vectorIndexFolder(Path db) {
    Path dir = db.resolve(VECTORS);
    return Files.isDirectory(dir) ? dir.toString() : null;
  }

  /**
   * The catalog builder of 'product index' and 'product sync': the folder, the main-object crop of
   * a new catalog, the --matcher value (a usage error when it is not a matcher name) and the
   * on-disk vector indexes (asked for, or made by an earlier run).
   */
  static ProductCatalog.Builder catalogBuilder(CommandLine.Model.CommandSpec spec, Path db, boolean cropMainObject,
      String matcher, boolean vectorIndex) {
    ProductCatalog.Builder b = ProductCatalog.builder().directory(db);
    b.vectorIndex(vectorIndexes(db, vectorIndex));
    if (cropMainObject) {
      b.cropToMainObject(true);
    }
    if (matcher != null) {
      try {
        b.matcher(Matcher.parse(matcher));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--matcher: " + e.getMessage());
      }
    }
    return b;
  }
}
