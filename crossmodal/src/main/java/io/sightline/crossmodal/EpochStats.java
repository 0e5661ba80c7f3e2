package io.sightline.crossmodal;

/**
 * Figures of one training epoch.
 *
 * @param epoch 1-based epoch
 * @param loss mean summed loss over the epoch's batches
 * @param maskedTextLoss mean loss of the masked text units (NaN when the task is off)
 * @param maskedObjectLoss mean loss of the masked objects (label + feature; NaN when off)
 * @param matchingLoss mean matching loss (NaN when off)
 * @param maskedTextAccuracy share of masked text units predicted right
 * @param matchingAccuracy share of samples whose match / no-match was predicted right
 * @param validationLoss loss on the validation pairs (the joint losses; the contrastive loss for a
 *     run without joint tasks), or NaN without a validation split
 * @param samples training samples seen (positives and negatives)
 * @param seconds wall time of the epoch
 */
public record EpochStats(int epoch, double loss, double maskedTextLoss, double maskedObjectLoss,
    double matchingLoss, double maskedTextAccuracy, double matchingAccuracy, double validationLoss,
    long samples, double seconds) {
  /** @return training samples per second */
  public double samplesPerSecond() {
    return seconds > 0 ? samples / seconds : 0;
  }
}
