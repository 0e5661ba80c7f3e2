package io.sightline.examples.crossmodal;

import io.sightline.crossmodal.RetrievalSettings;
import io.sightline.crossmodal.RetrievalSettings.Ranking;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --rank-by}, {@code --first-stage} and {@code --cosine-weight}, shared by
 * {@code crossmodal retrieve}, {@code crossmodal caption} (texts ranked for an image) and
 * {@code crossmodal evaluate}; they become
 * {@link RetrievalSettings}.
 */
final class RankingOptions {
  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec mixee;

  @Option(names = "--rank-by", paramLabel = "RANKING",
      description = "fused (default): the model's matching head and the cosine of its text and image embeddings,"
          + " standardised and added; embedding: the cosine alone (fastest); matching: the matching head alone")
  String rankBy;

  @Option(names = "--first-stage", paramLabel = "N",
      description = "with fused or matching: score only the N images (for captions: texts) nearest by the"
          + " embeddings (0 = score all;"
          + " default: " + RetrievalSettings.DEFAULT_FIRST_STAGE + " for fused, 0 for matching)")
  Integer firstStage;

  @Option(names = "--cosine-weight", paramLabel = "W",
      description = "with fused: the cosine's weight against the matching head's (above 0; default: "
          + RetrievalSettings.DEFAULT_COSINE_WEIGHT + ")")
  Double cosineWeight;

  /** The settings; a usage error (exit 2) for a value that does not fit the ranking. */
  RetrievalSettings settings() {
    Ranking ranking;
    if (rankBy == null) {
      ranking = RetrievalSettings.defaults().ranking();
    } else {
      try {
        ranking = Ranking.valueOf(rankBy.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw usage("--rank-by must be embedding, matching or fused, not '" + rankBy + "'");
      }
    }
    try {
      boolean fused = ranking == Ranking.FUSED;
      return new RetrievalSettings(ranking,
          firstStage != null ? firstStage : fused ? RetrievalSettings.DEFAULT_FIRST_STAGE : 0,
          cosineWeight != null ? cosineWeight : fused ? RetrievalSettings.DEFAULT_COSINE_WEIGHT : 0);
    } catch (IllegalArgumentException e) {
      // RetrievalSettings says what does not fit; name the options it came from
      throw usage("--rank-by " + ranking.name().toLowerCase(Locale.ROOT) + " with --first-stage "
          + (firstStage == null ? "(default)" : firstStage) + " and --cosine-weight "
          + (cosineWeight == null ? "(default)" : cosineWeight) + ": " + e.getMessage());
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(mixee.commandLine(), message);
  }
}
