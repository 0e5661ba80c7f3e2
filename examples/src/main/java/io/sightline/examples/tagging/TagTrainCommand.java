package io.sightline.examples.tagging;

import io.sightline.core.CancellationToken;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderOptions;
import io.sightline.index.lucene.LuceneVectorIndex;
import io.sightline.tagging.CentreInit;
import io.sightline.tagging.ClusteringMethod;
import io.sightline.tagging.ClusteringOptions;
import io.sightline.tagging.Strategy;
import io.sightline.tagging.TagRecommender;
import io.sightline.tagging.TrainingReport;
import io.sightline.tagging.UpdateMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sightline tag train --images tags.csv --model DIR [--clusters K] [--mini-batch N]}:
 * adds the images of {@code tags.csv} to the stock in DIR (creating it), clusters the stock and
 * saves the model. Prints one JSON object describing the model. With
 * {@code --embedder FILE.onnx --preset NAME [--embedder-output NAME]} the image vectors come from
 * that ONNX model; the choice is recorded in {@code DIR/embedder.json} and {@code tag suggest}
 * (and later {@code tag train} runs on the same stock) use it without being told.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Add tags.csv (header image,tags,post) to the stock in DIR and cluster it.")
public final class TagTrainCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--images", required = true, description = "tags.csv: image,tags,post (tags separated by |)")
  Path images;

  @Option(names = "--allowed-root", paramLabel = "DIR",
      description = "folder that image paths in the input file may point into (default: the input file's own folder; "
          + "paths outside it, absolute or via '..' or symlinks, are refused)")
  Path allowedRoot;

  @Option(names = "--model", required = true, description = "model folder (stock database + model file)")
  Path model;

  @Option(names = "--clusters", description = "number of clusters K (default: sqrt(images/2), at most 100)")
  Integer clusters;

  @Option(names = "--mini-batch", paramLabel = "N", description = "use mini-batch K-means with batches of N images")
  Integer miniBatch;

  @Option(names = "--method", completionCandidates = Methods.class,
      description = "clustering: ${COMPLETION-CANDIDATES} (default: kmeans, or mini_batch_kmeans with --mini-batch)")
  ClusteringMethod method;

  /** The --method values as typed. */
  static final class Methods extends CliSupport.LowerCaseValues<ClusteringMethod> {
    Methods() {
      super(ClusteringMethod.class);
    }
  }

  /** The --init values as typed. */
  static final class Inits extends CliSupport.LowerCaseValues<CentreInit> {
    Inits() {
      super(CentreInit.class);
    }
  }

  /** The --update values as typed. */
  static final class Updates extends CliSupport.LowerCaseValues<UpdateMode> {
    Updates() {
      super(UpdateMode.class);
    }
  }

  @Option(names = "--radius", description = "--method dbscan: neighbourhood radius on normalised vectors (default: ${DEFAULT-VALUE})")
  double radius = 0.3;

  @Option(names = "--min-points", description = "--method dbscan: points that make a core point (default: ${DEFAULT-VALUE})")
  int minPoints = 5;

  @Option(names = "--init", defaultValue = "random", completionCandidates = Inits.class,
      description = "initial centres: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  CentreInit init;

  @Option(names = "--max-iterations", description = "iteration limit (default: ${DEFAULT-VALUE})")
  int maxIterations = 100;

  @Option(names = "--seed", description = "random seed (default: ${DEFAULT-VALUE})")
  long seed = 42;

  @Option(names = "--update", defaultValue = "recluster", completionCandidates = Updates.class,
      description = "when DIR already holds a model: warm-start from its centres (warm_start) or cluster again "
          + "(recluster) (default: ${DEFAULT-VALUE})")
  UpdateMode update;

  @Option(names = "--neighbour-index", description = "also keep the stock's nearest-neighbour index on disk (a Lucene"
      + " index in MODEL/" + NEIGHBOURS + "), so 'tag suggest --strategy nearest_neighbours|fused' opens it instead of"
      + " building one in every process; once made, later 'tag train' runs keep it in step")
  boolean neighbourIndex;

  /** Folder of the on-disk neighbour index inside a model folder. */
  public static final String NEIGHBOURS = "neighbours";

  @CommandLine.Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  @Override
  public Integer call() {
    embedderOptions.asked();
    if (clusters != null && clusters < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--clusters must be at least 1");
    }
    if (miniBatch != null && miniBatch < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--mini-batch must be at least 1");
    }
    if (method == ClusteringMethod.MINI_BATCH_KMEANS && miniBatch == null) {
      miniBatch = 1000;
    }
    if (!(radius > 0) || minPoints < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--radius must be > 0 and --min-points >= 1");
    }
    if (maxIterations < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--max-iterations must be at least 1");
    }
    CliSupport.requireFile(spec, images, "--images");
    CliSupport.requireFolder(spec, allowedRoot, "--allowed-root", null);
    long t0 = System.nanoTime();
    // new model folders get the shipped encoder: on drawings of families it never saw it gives
    // better tags than the descriptor (BENCHMARKS.md, models); --embedder descriptor keeps the old one
    try (EmbedderOptions.Choice emb = embedderOptions.open(model, true)) {
      ImageEmbedder embedder = emb.embedder();
      ClusteringOptions options = ClusteringOptions.defaults().withInit(init).withSeed(seed)
          .withMaxIterations(maxIterations);
      if (miniBatch != null) {
        options = options.withMiniBatch(miniBatch);
      }
      if (method != null) {
        options = options.withMethod(method);
      }
      if (options.method() == ClusteringMethod.DBSCAN) {
        options = options.withDbscan(radius, minPoints);
      }
      int added;
      int stock;
      try (TagRecommender r = TagRecommender.builder().embedder(embedder).directory(model)
          .clustering(options).build()) {
        emb.record(model);
        added = r.importCsv(images, allowedRoot != null ? allowedRoot : images.toAbsolutePath().getParent(), CliSupport.progressBar(), CancellationToken.NONE);
        stock = r.stockSize();
      }
      // the automatic K depends on the stock size, known only after the import
      int k = clusters != null ? clusters : options.clustersFor(stock);
      TagRecommender.Builder training = TagRecommender.builder().embedder(embedder).directory(model)
          .clustering(options.withClusters(k));
      Path onDisk = model.resolve(NEIGHBOURS);
      boolean keepIndex = neighbourIndex || Files.isDirectory(onDisk);
      if (keepIndex) {
        // training then writes (or reconciles) the on-disk index with the stock
        training.strategy(Strategy.NEAREST_NEIGHBOURS).neighbourIndex(LuceneVectorIndex.factory(onDisk));
      }
      try (TagRecommender r = training.build()) {
        TrainingReport report = r.model().isPresent()
            ? r.update(update, CliSupport.progressBar(), CancellationToken.NONE)
            : r.train(CliSupport.progressBar(), CancellationToken.NONE);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model.toString());
        out.put("added", added);
        out.put("images", report.stockImages());
        out.put("clusters", report.clusters());
        out.put("method", report.method());
        out.put("init", report.init());
        out.put("warmStarted", report.warmStarted());
        out.put("iterations", report.iterations());
        out.put("converged", report.converged());
        out.put("deviation", report.finalDeviation());
        out.put("embedder", r.embedderId());
        if (keepIndex) {
          out.put("neighbourIndex", onDisk.toString());
        }
        out.put("seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
        CliSupport.printJsonLine(out);
      }
      return CliSupport.OK;
    }
  }
}
