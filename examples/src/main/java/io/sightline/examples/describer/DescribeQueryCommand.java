package io.sightline.examples.describer;

import io.sightline.core.SightlineException;
import io.sightline.describer.Description;
import io.sightline.describer.EntityScorer;
import io.sightline.describer.EntityScorers;
import io.sightline.describer.HeuristicEntityScorer;
import io.sightline.describer.ImageDescriber;
import io.sightline.describer.ReferenceStore;
import io.sightline.describer.ScoredEntity;
import io.sightline.describer.ScoringMode;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderOptions;
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
 * {@code sightline describe query --db DIR [--scorer MODEL] IMAGE...}: one JSON line per image,
 * {@code {"image","status","best":{"name","score"}|null,"entities":[{"name","score"}],
 * "matches":[{"id","similarity","inliers","instanceScore","verified"}],"thresholds":{...},"mode","scorer","matcher"}};
 * with {@code --evidence} every scored candidate with its feature values is added. Matches are
 * made with the matcher recorded in the store ({@code describe index --matcher}); {@code inliers}
 * and {@code instanceScore} are the instance index's evidence (0 for a match found by global
 * similarity only). An image that cannot be read (or, under the local matcher, has too few local
 * features) gives {@code {"image","error"}} and exit code 1 after the others.
 * The image embedder is the one recorded in the folder's {@code embedder.json} by the command that
 * built it; {@code --embedder/--preset/--embedder-output}, if given, must name the same one. The
 * entity scorer is the one {@code describe train-scorer} registered with the store
 * ({@value ScorerRecord#FILE_NAME}), with the mode and thresholds it was trained with; options that
 * contradict them are refused (exit code 2).
 */
@Command(name = "query", mixinStandardHelpOptions = true,
    description = "Describe images: the entity their matching reference pages name, or null.")
public final class DescribeQueryCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--db", required = true, paramLabel = "DIR", description = "store folder made by 'describe index'")
  Path db;

  @Option(names = "--scorer", paramLabel = "MODEL",
      description = "GBDT or LSTM scorer from 'describe train-scorer', or 'heuristic' (default: the scorer"
          + " registered with the store by 'describe train-scorer', else the heuristic scorer)")
  String scorer;

  @Option(names = "--mode", description = "grouped or per-mention (default: the registered scorer's, else grouped)")
  String mode;

  @Option(names = "--match-threshold", paramLabel = "S",
      description = "minimum cosine of a match found by global similarity (default: the registered scorer's, else "
          + ImageDescriber.DEFAULT_MATCH_THRESHOLD + "); instance matches are verified by the instance index's"
          + " calibrated threshold")
  Double matchThreshold;

  @Option(names = "--top-images", paramLabel = "M",
      description = "matched images at most (default: the registered scorer's, else " + ImageDescriber.DEFAULT_TOP_IMAGES + ")")
  Integer topImages;

  @Option(names = "--score-threshold", paramLabel = "T", description = "minimum entity score (default: the scorer's)")
  Double scoreThreshold;

  @Option(names = "--evidence", description = "add every scored candidate with its features")
  boolean evidence;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "images to describe")
  List<Path> images = new ArrayList<>();

  /** Usage errors (exit 2) for a similarity outside [-1, 1] (or NaN) and fewer than one image. */
  static void checkThresholds(CommandLine cl, Double matchThreshold, Integer topImages) {
    if (matchThreshold != null && !(matchThreshold >= -1 && matchThreshold <= 1)) {
      throw new CommandLine.ParameterException(cl, "--match-threshold must be a cosine in [-1, 1], got " + matchThreshold);
    }
    if (topImages != null && topImages < 1) {
      throw new CommandLine.ParameterException(cl, "--top-images must be at least 1, got " + topImages);
    }
  }

  static ScoringMode parseMode(CommandLine cl, String mode) {
    return switch (mode.toLowerCase(java.util.Locale.ROOT)) {
      case "grouped" -> ScoringMode.GROUPED;
      case "per-mention", "per_mention" -> ScoringMode.PER_MENTION;
      default -> throw new CommandLine.ParameterException(cl, "--mode must be grouped or per-mention");
    };
  }

  @CommandLine.Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  @Override
  public Integer call() {
    embedderOptions.asked();
    if (mode != null) {
      parseMode(spec.commandLine(), mode);
    }
    checkThresholds(spec.commandLine(), matchThreshold, topImages);
    if (scoreThreshold != null && !(scoreThreshold >= 0 && scoreThreshold <= 1)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--score-threshold must be in [0, 1]");
    }
    CliSupport.requireFolder(spec, db, "--db", "build one with 'sightline describe index'");
    if (scorer != null && !"heuristic".equalsIgnoreCase(scorer)) {
      CliSupport.requireFile(spec, Path.of(scorer), "--scorer");
    }
    int status = CliSupport.OK;
    try (EmbedderOptions.Choice emb = embedderOptions.open(db);
         ReferenceStore store = ReferenceStore.builder().directory(db).embedder(emb.embedder()).createIfMissing(false)
             .readOnly(true).build()) {
      Settings set = settings(emb.embedder().id(), store.matcher().id());
      EntityScorer s = set.scorerFile() == null ? new HeuristicEntityScorer() : EntityScorers.load(set.scorerFile());
      try {
        ImageDescriber.Builder b = ImageDescriber.builder().store(store).scorer(s).mode(set.mode())
            .matchThreshold(set.matchThreshold()).topImages(set.topImages());
        if (scoreThreshold != null) {
          b.scoreThreshold(scoreThreshold);
        }
        ImageDescriber describer = b.build();
        for (Path image : images) {
          Map<String, Object> line = new LinkedHashMap<>();
          line.put("image", image.toString());
          try {
            line.putAll(toJson(describer.describe(image), evidence));
          } catch (SightlineException e) {
            line.put("error", e.getMessage());
            status = CliSupport.FAILURE;
          } catch (OutOfMemoryError e) {
            line.put("error", CliSupport.outOfMemory(e));
            status = CliSupport.FAILURE;
          }
          CliSupport.printJsonLine(line);
        }
      } finally {
        if (s instanceof AutoCloseable c) {
          try {
            c.close();
          } catch (Exception e) {
            // closing a loaded model frees native memory; nothing to report at exit
          }
        }
      }
    }
    return status;
  }

  /** What a query runs with, after the registered scorer and the options are reconciled. */
  private record Settings(Path scorerFile, ScoringMode mode, double matchThreshold, int topImages) {}

  /**
   * The registered scorer (from {@value ScorerRecord#FILE_NAME}) is used with its own mode and
   * thresholds unless {@code --scorer} names another model or {@code heuristic}; options that
   * contradict what it was trained with are refused.
   */
  private Settings settings(String embedderId, String matcherId) {
    java.util.Optional<ScorerRecord> reg = ScorerRecord.read(db);
    boolean heuristic = "heuristic".equalsIgnoreCase(scorer) && !java.nio.file.Files.exists(Path.of(scorer));
    Path named = scorer == null || heuristic ? null : Path.of(scorer);
    ScorerRecord use = null;
    if (reg.isPresent() && !heuristic) {
      if (named == null) {
        use = reg.get();
      } else if (sameBytes(named, reg.get())) {
        use = reg.get();
      }
    }
    if (use == null) {
      ScoringMode m = mode == null ? ScoringMode.GROUPED : parseMode(spec.commandLine(), mode);
      return new Settings(named, m, matchThreshold == null ? ImageDescriber.DEFAULT_MATCH_THRESHOLD : matchThreshold,
          topImages == null ? ImageDescriber.DEFAULT_TOP_IMAGES : topImages);
    }
    Path file = use.verifiedFile(db);
    String askedMode = mode == null ? use.mode() : parseMode(spec.commandLine(), mode).name();
    List<String> diff = use.differences(askedMode, matchThreshold == null ? use.matchThreshold() : matchThreshold,
        topImages == null ? use.topImages() : topImages, embedderId, matcherId);
    if (!diff.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "the scorer registered with " + db + " ("
          + use.scorer() + ") was trained with " + String.join(", ", diff)
          + "; its scores mean nothing under other settings: drop those options, train a scorer for them with"
          + " 'describe train-scorer', or query with --scorer heuristic");
    }
    return new Settings(file, ScoringMode.valueOf(use.mode()), use.matchThreshold(), use.topImages());
  }

  private static boolean sameBytes(Path file, ScorerRecord r) {
    try {
      return io.sightline.examples.cli.EmbedderRecord.sha256(file).equals(r.sha256());
    } catch (java.io.IOException e) {
      return false; // EntityScorers.load reports the unreadable file with its own message
    }
  }

  static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }

  private static Map<String, Object> entity(ScoredEntity e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", e.name());
    m.put("score", round(e.score()));
    return m;
  }

  /**
   * @param d a description
   * @param evidence include every candidate with its features
   * @return the JSON fields of the CLI contract (without "image")
   */
  static Map<String, Object> toJson(Description d, boolean evidence) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("status", d.status().name());
    line.put("best", d.best() == null ? null : entity(d.best()));
    List<Map<String, Object>> ents = new ArrayList<>();
    for (ScoredEntity e : d.entities()) {
      ents.add(entity(e));
    }
    line.put("entities", ents);
    List<Map<String, Object>> matches = new ArrayList<>();
    for (Description.Match mt : d.matches()) {
      Map<String, Object> mm = new LinkedHashMap<>();
      mm.put("id", mt.id());
      mm.put("similarity", round(mt.similarity()));
      mm.put("inliers", mt.inliers());
      mm.put("instanceScore", round(mt.instanceScore()));
      mm.put("verified", mt.verified());
      matches.add(mm);
    }
    line.put("matches", matches);
    Map<String, Object> th = new LinkedHashMap<>();
    th.put("match", d.thresholds().matchThreshold());
    th.put("topImages", d.thresholds().topImages());
    th.put("score", round(d.thresholds().scoreThreshold()));
    if (Double.isFinite(d.thresholds().instanceThreshold())) {
      th.put("instance", round(d.thresholds().instanceThreshold()));
    }
    line.put("thresholds", th);
    line.put("mode", d.mode().name());
    line.put("scorer", d.scorerId());
    line.put("matcher", d.matcher().id());
    if (evidence) {
      List<Map<String, Object>> cands = new ArrayList<>();
      for (ScoredEntity e : d.candidates()) {
        Map<String, Object> c = entity(e);
        Map<String, Object> f = new LinkedHashMap<>();
        e.features().forEach((k, v) -> f.put(k, round(v)));
        c.put("features", f);
        c.put("references", e.referenceIds());
        cands.add(c);
      }
      line.put("candidates", cands);
    }
    return line;
  }
}
