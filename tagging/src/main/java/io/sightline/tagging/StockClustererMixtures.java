package io.sightline.tagging;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import smile.clustering.DBSCAN;

/**
 * The clusterings of {@link StockClusterer} other than K-means: a Gaussian mixture with diagonal
 * covariances (EM) and Smile's DBSCAN, each ending with the centres and labels of a
 * {@link StockClusterer.Run}. Stateless.
 */
final class StockClustererMixtures {
  private StockClustererMixtures() {}

  /**
   * EM for a mixture of Gaussians with diagonal covariances, started from a k-means++ K-means
   * solution. Written here because Smile 2.6's diagonal {@code MultivariateGaussianMixture} fails in
   * its M-step ("matrix is not square: d x 1") and full covariances are singular for image
   * features with more dimensions than images per cluster.
   */
  static StockClusterer.Run gaussianMixture(double[][] data, int k, ClusteringOptions options,
      ProgressListener listener, CancellationToken token) {
    int n = data.length;
    int d = data[0].length;
    ClusteringOptions init = options.withMethod(ClusteringMethod.KMEANS).withInit(CentreInit.KMEANS_PLUS_PLUS);
    StockClusterer.Run start = StockClustererKMeans.lloyd(data, StockClustererKMeans.initialCentres(data, k, init, listener),
        init, ProgressListener.NONE, token);
    double[][] mean = start.centres();
    double[][] var = new double[k][d];
    double[] weight = new double[k];
    double floor = 1e-6;
    int[] count = new int[k];
    for (int i = 0; i < n; i++) {
      int c = start.labels()[i];
      count[c]++;
      for (int j = 0; j < d; j++) {
        double diff = data[i][j] - mean[c][j];
        var[c][j] += diff * diff;
      }
    }
    for (int c = 0; c < k; c++) {
      weight[c] = Math.max(count[c], 1) / (double) n;
      for (int j = 0; j < d; j++) {
        var[c][j] = var[c][j] / Math.max(count[c], 1) + floor;
      }
    }
    double[][] resp = new double[n][k];
    List<Double> deviations = new ArrayList<>();
    double previous = Double.NEGATIVE_INFINITY;
    boolean converged = false;
    int it = 0;
    while (it < options.maxIterations()) {
      token.throwIfCancelled();
      // E-step: log responsibilities with log-sum-exp
      double[] logNorm = new double[k];
      for (int c = 0; c < k; c++) {
        double s = Math.log(weight[c]);
        for (int j = 0; j < d; j++) {
          s -= 0.5 * Math.log(2 * Math.PI * var[c][j]);
        }
        logNorm[c] = s;
      }
      double[] ll = new double[n];
      IntStream.range(0, n).parallel().forEach(i -> {
        double[] r = resp[i];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          double s = logNorm[c];
          for (int j = 0; j < d; j++) {
            double diff = data[i][j] - mean[c][j];
            s -= 0.5 * diff * diff / var[c][j];
          }
          r[c] = s;
          max = Math.max(max, s);
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
          r[c] = Math.exp(r[c] - max);
          sum += r[c];
        }
        for (int c = 0; c < k; c++) {
          r[c] /= sum;
        }
        ll[i] = max + Math.log(sum);
      });
      double logLikelihood = 0;
      for (double v : ll) {
        logLikelihood += v;
      }
      // M-step
      for (int c = 0; c < k; c++) {
        double nc = 0;
        double[] m = new double[d];
        for (int i = 0; i < n; i++) {
          double r = resp[i][c];
          nc += r;
          for (int j = 0; j < d; j++) {
            m[j] += r * data[i][j];
          }
        }
        if (nc < 1e-9) {
          continue; // a component that lost every image keeps its parameters
        }
        double[] v = new double[d];
        for (int j = 0; j < d; j++) {
          m[j] /= nc;
        }
        for (int i = 0; i < n; i++) {
          double r = resp[i][c];
          for (int j = 0; j < d; j++) {
            double diff = data[i][j] - m[j];
            v[j] += r * diff * diff;
          }
        }
        for (int j = 0; j < d; j++) {
          v[j] = v[j] / nc + floor;
        }
        mean[c] = m;
        var[c] = v;
        weight[c] = nc / n;
      }
      it++;
      double[] dev = new double[1];
      StockClusterer.assign(data, mean, dev);
      deviations.add(dev[0]);
      listener.onProgress("gaussian-mixture", it, options.maxIterations(),
          String.format(java.util.Locale.ROOT, "D=%.6g logL=%.6g", dev[0], logLikelihood));
      if (Math.abs(logLikelihood - previous) <= options.tolerance() * Math.abs(logLikelihood)) {
        converged = true;
        break;
      }
      previous = logLikelihood;
    }
    double[] dev = new double[1];
    int[] labels = StockClusterer.assign(data, mean, dev);
    return new StockClusterer.Run(mean, labels, StockClusterer.toArray(deviations), dev[0], it, converged, 0);
  }

  static StockClusterer.Run dbscan(double[][] data, ClusteringOptions options, ProgressListener listener,
      CancellationToken token) {
    token.throwIfCancelled();
    listener.onProgress("dbscan", 0, 1, "radius " + options.radius() + ", " + options.minPoints() + " points");
    DBSCAN<double[]> db = DBSCAN.fit(data, options.minPoints(), options.radius());
    token.throwIfCancelled();
    if (db.k == 0) {
      throw new InsufficientStockException("DBSCAN found no cluster with radius " + options.radius()
          + " and " + options.minPoints() + " points: every stock image is noise; raise the radius or lower minPoints");
    }
    int d = data[0].length;
    double[][] centres = new double[db.k][d];
    int[] size = new int[db.k];
    for (int i = 0; i < data.length; i++) {
      int c = db.y[i];
      if (c >= 0 && c < db.k) {
        size[c]++;
        for (int j = 0; j < d; j++) {
          centres[c][j] += data[i][j];
        }
      }
    }
    for (int c = 0; c < db.k; c++) {
      for (int j = 0; j < d; j++) {
        centres[c][j] /= Math.max(1, size[c]);
      }
    }
    double[] dev = new double[1];
    int[] labels = StockClusterer.assign(data, centres, dev); // noise joins the nearest cluster
    listener.onProgress("dbscan", 1, 1, String.format(java.util.Locale.ROOT, "%d clusters, D=%.6g", db.k, dev[0]));
    return new StockClusterer.Run(centres, labels, new double[] {dev[0]}, dev[0], 1, true, 0);
  }
}
