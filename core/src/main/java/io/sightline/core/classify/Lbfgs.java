package io.sightline.core.classify;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;

/**
 * Limited-memory BFGS (Nocedal and Wright, Algorithm 7.4/7.5) with a backtracking Armijo line
 * search, for smooth convex objectives. Deterministic: no randomness enters.
 */
final class Lbfgs {
  /** An objective: returns f(x) and writes its gradient. */
  interface Objective {
    double evaluate(double[] x, double[] grad);
  }

  /** Outcome of a minimisation. */
  record Result(double[] x, double value, int iterations, boolean converged) {}

  private Lbfgs() {}

  static Result minimize(Objective f, double[] x0, int maxIterations, double tolerance, int memory,
      ProgressListener progress, CancellationToken cancel) {
    int n = x0.length;
    double[] x = x0.clone();
    double[] g = new double[n];
    double fx = f.evaluate(x, g);
    double[][] s = new double[memory][];
    double[][] y = new double[memory][];
    double[] rho = new double[memory];
    double[] alpha = new double[memory];
    int stored = 0;
    int head = 0;
    double[] xNew = new double[n];
    double[] gNew = new double[n];
    int iter = 0;
    boolean converged = norm(g) <= tolerance * Math.max(1, norm(x));
    while (!converged && iter < maxIterations) {
      cancel.throwIfCancelled();
      // two-loop recursion: d = -H g
      double[] d = g.clone();
      for (int k = 0; k < stored; k++) {
        int i = Math.floorMod(head - 1 - k, memory);
        alpha[i] = rho[i] * dot(s[i], d);
        axpy(-alpha[i], y[i], d);
      }
      if (stored > 0) {
        int last = Math.floorMod(head - 1, memory);
        double gamma = dot(s[last], y[last]) / dot(y[last], y[last]);
        scale(d, gamma);
      } else {
        scale(d, 1.0 / Math.max(1e-12, norm(g)));
      }
      for (int k = stored - 1; k >= 0; k--) {
        int i = Math.floorMod(head - 1 - k, memory);
        double beta = rho[i] * dot(y[i], d);
        axpy(alpha[i] - beta, s[i], d);
      }
      scale(d, -1);
      double slope = dot(g, d);
      if (slope >= 0) { // not a descent direction: restart from steepest descent
        stored = 0;
        d = g.clone();
        scale(d, -1.0 / Math.max(1e-12, norm(g)));
        slope = dot(g, d);
      }
      double step = 1.0;
      double fNew;
      int tries = 0;
      while (true) {
        for (int j = 0; j < n; j++) {
          xNew[j] = x[j] + step * d[j];
        }
        fNew = f.evaluate(xNew, gNew);
        if (fNew <= fx + 1e-4 * step * slope || tries++ > 40) {
          break;
        }
        step *= 0.5;
      }
      iter++;
      double[] sk = new double[n];
      double[] yk = new double[n];
      for (int j = 0; j < n; j++) {
        sk[j] = xNew[j] - x[j];
        yk[j] = gNew[j] - g[j];
      }
      double sy = dot(sk, yk);
      if (sy > 1e-12) {
        s[head] = sk;
        y[head] = yk;
        rho[head] = 1.0 / sy;
        head = (head + 1) % memory;
        stored = Math.min(stored + 1, memory);
      }
      double decrease = fx - fNew;
      System.arraycopy(xNew, 0, x, 0, n);
      System.arraycopy(gNew, 0, g, 0, n);
      fx = fNew;
      progress.onProgress("train", iter, maxIterations, String.format(java.util.Locale.ROOT, "loss=%.6f", fx));
      converged = norm(g) <= tolerance * Math.max(1, norm(x))
          || (decrease >= 0 && decrease <= 1e-12 * Math.max(1, Math.abs(fx)));
    }
    return new Result(x, fx, iter, converged);
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += a * x[i];
    }
  }

  private static void scale(double[] x, double a) {
    for (int i = 0; i < x.length; i++) {
      x[i] *= a;
    }
  }
}
