package io.sightline.crossmodal;

import java.util.List;

/**
 * What training produced.
 *
 * @param model the trained model (the parameters of the best monitored epoch); the caller owns
 *     it and must close it
 * @param history figures of every epoch, including epochs done before a resume
 * @param stoppedEarly whether early stopping ended training
 * @param resumedFromEpoch epochs already done in the checkpoint training resumed from (0 if none)
 * @param pairs training pairs used
 * @param validationPairs held-out pairs used for early stopping
 * @param skippedUpdates optimizer steps skipped because a loss or gradient was not finite (their
 *     gradients are discarded); more than a few mean the learning rate is too high for the data
 */
public record TrainingResult(CrossModalModel model, List<EpochStats> history, boolean stoppedEarly,
    int resumedFromEpoch, int pairs, int validationPairs, int skippedUpdates) {
  /** Copies the history. */
  public TrainingResult {
    history = List.copyOf(history);
  }
}
