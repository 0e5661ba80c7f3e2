package io.sightline.examples.crossmodal;

import io.sightline.crossmodal.RetrievalSettings;
import io.sightline.crossmodal.RetrievalSettings.Ranking;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --rank-by}, {@code --first-stage} and {@code --cosine-weight}, shared by
 * {@code crossmodal retrieve} and {@code crossmodal evaluate}; they become
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
      description = "with fused or matching: score only the N images nearest by the embeddings (0 = score all;"
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
    if (firstStage != null && firstStage < 0) {
      throw usage("--first-stage must be 0 or more");
    }
    if (ranking == Ranking.EMBEDDING && firstStage != null && firstStage != 0) {
      throw usage("--first-stage applies to --rank-by matching or fused; embedding ranks by the first stage itself");
    }
    if (cosineWeight != null && ranking != Ranking.FUSED) {
      throw usage("--cosine-weight applies to --rank-by fused only");
    }
    if (cosineWeight != null && (!(cosineWeight > 0) || cosineWeight.isInfinite())) {
      throw usage("--cosine-weight must be a finite number above 0");
    }
    return switch (ranking) {
      case EMBEDDING -> RetrievalSettings.embedding();
      case MATCHING -> RetrievalSettings.matching(firstStage == null ? 0 : firstStage);
      case FUSED -> RetrievalSettings.fused(firstStage == null ? RetrievalSettings.DEFAULT_FIRST_STAGE : firstStage,
          cosineWeight == null ? RetrievalSettings.DEFAULT_COSINE_WEIGHT : cosineWeight);
    };
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(mixee.commandLine(), message);
  }
}
