package io.sightline.commerce;

import java.util.List;

/**
 * How the intent gate decided for one photo.
 *
 * @param mode {@link Mode#CLASSIFIER} (the gate ran), {@link Mode#FIXED} (catalog of one kind:
 *     every photo is searched in one segment) or {@link Mode#OFF} (no gate: every photo is searched
 *     in both segments)
 * @param top the most probable intent (classifier mode; the fixed intent in fixed mode; null when off)
 * @param margin the top intent's probability minus the runner-up's, in [0, 1] (probabilities of
 *     labels that map to the same intent are summed); NaN unless the classifier ran
 * @param threshold the margin below which the gate is unsure ({@code gateMargin}); NaN unless
 *     the classifier ran
 * @param uncertain whether the margin was below the threshold, so both segments were searched
 *     whatever the top intent was
 * @param segments the segments searched, apparel first; empty when the photo was skipped
 */
public record GateDecision(Mode mode, Intent top, double margin, double threshold, boolean uncertain,
    List<Intent> segments) {
  /** Copies the list. */
  public GateDecision {
    segments = List.copyOf(segments);
  }

  /** Where the gate's decision came from. */
  public enum Mode {
    /** The intent classifier ran and its margin decided. */
    CLASSIFIER,
    /** A fixed intent: every photo is searched in that one segment (a catalog of one kind). */
    FIXED,
    /** No gate: every photo is searched in both segments. */
    OFF
  }
}
