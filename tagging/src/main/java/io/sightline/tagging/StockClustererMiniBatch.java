package io.sightline.tagging;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mini-batch K-means for {@link StockClusterer}: per-centre learning rates, relocation of centres
 * no vector reached, and a convergence test on the smoothed per-image deviation. Stateless.
 */
final class StockClustererMiniBatch {
  private static final Logger LOG = LoggerFactory.getLogger(StockClusterer.class);

  private StockClustererMiniBatch() {}

  static StockClusterer.Run miniBatch(double[][] data, double[][] centres, long[] initialCounts,
      ClusteringOptions options, ProgressListener listener, CancellationToken token) {
    int n = data.length;
    int k = centres.length;
    int d = data[0].length;
    int b = Math.min(options.batchSize(), n);
    SplittableRandom rng = new SplittableRandom(options.seed() * 31 + 7);
    long[] counts = initialCounts.clone();
    List<Double> deviations = new ArrayList<>();
    double alpha = Math.min(1.0, 2.0 * b / (n + 1.0));
    double ewa = Double.NaN;
    double best = Double.POSITIVE_INFINITY;
    int noImprovement = 0;
    boolean converged = false;
    int relocated = 0;
    int max = options.maxIterations();
    int it = 0;
    double[][] batch = new double[b][];
    int[] batchLabels = new int[b];
    double[] batchDist = new double[b];
    while (it < max) {
      token.throwIfCancelled();
      int[] idx = StockClusterer.sampleWithoutReplacement(n, b, rng);
      for (int i = 0; i < b; i++) {
        batch[i] = data[idx[i]];
      }
      IntStream.range(0, b).parallel().forEach(i -> {
        double[] best2 = new double[1];
        batchLabels[i] = StockClusterer.nearest(batch[i], centres, best2);
        batchDist[i] = best2[0];
      });
      double dev = 0;
      for (double v : batchDist) {
        dev += v;
      }
      // per-centre learning rate 1 / (vectors absorbed so far)
      for (int i = 0; i < b; i++) {
        int c = batchLabels[i];
        counts[c]++;
        double eta = 1.0 / counts[c];
        double[] centre = centres[c];
        double[] x = batch[i];
        for (int j = 0; j < d; j++) {
          centre[j] += eta * (x[j] - centre[j]);
        }
      }
      // centres no vector ever reached are moved onto random batch vectors
      for (int c = 0; c < k; c++) {
        if (counts[c] == 0) {
          centres[c] = batch[rng.nextInt(b)].clone();
          relocated++;
        }
      }
      it++;
      deviations.add(dev);
      listener.onProgress("mini-batch-kmeans", it, max,
          String.format(java.util.Locale.ROOT, "D=%.6g (batch of %d)", dev, b));
      double perImage = dev / b;
      ewa = Double.isNaN(ewa) ? perImage : ewa * (1 - alpha) + perImage * alpha;
      if (ewa < best * (1 - options.tolerance())) {
        best = ewa;
        noImprovement = 0;
      } else if (++noImprovement >= options.patience()) {
        converged = true;
        break;
      }
    }
    double[] finalDev = new double[1];
    int[] labels = StockClusterer.assign(data, centres, finalDev);
    listener.onProgress("mini-batch-kmeans", it, it,
        String.format(java.util.Locale.ROOT, "D=%.6g (all %d images)", finalDev[0], n));
    LOG.debug("mini-batch k-means: {} batches, converged={}, D={}", it, converged, finalDev[0]);
    return new StockClusterer.Run(centres, labels, StockClusterer.toArray(deviations), finalDev[0], it, converged,
        relocated);
  }
}
