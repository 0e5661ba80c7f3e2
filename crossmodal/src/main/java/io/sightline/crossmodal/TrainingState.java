package io.sightline.crossmodal;

import java.util.List;

/**
 * Where training stood when a checkpoint was written.
 *
 * @param epochsDone completed epochs
 * @param batchesDone batches done in the current (incomplete) epoch
 * @param seed the training seed
 * @param bestValidation best monitored loss so far
 * @param epochsWithoutGain epochs since it improved
 * @param history figures of the completed epochs
 * @param bestParameters parameters at the best monitored loss (may be null)
 * @param optimizerState the optimizer's moments and step counts ({@link CheckpointableAdamW}),
 *     or null (checkpoints of format version 1 have none: the moments restart)
 * @param partialSums running loss and accuracy sums of the {@code batchesDone} batches of the
 *     current epoch (mid-epoch checkpoints of format version 2), or null
 */
record TrainingState(int epochsDone, int batchesDone, long seed, double bestValidation,
    int epochsWithoutGain, List<EpochStats> history, byte[] bestParameters, byte[] optimizerState,
    double[] partialSums) {}
