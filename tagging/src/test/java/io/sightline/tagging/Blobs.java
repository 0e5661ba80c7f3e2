package io.sightline.tagging;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Synthetic stock: well-separated Gaussian blobs in d dimensions, one tag set per blob. */
final class Blobs {
  private Blobs() {}

  static float[] centre(int blob, int d) {
    float[] c = new float[d];
    c[blob % d] = 1f;
    c[(blob + 1) % d] = blob >= d ? 1f : 0f;
    return c;
  }

  static float[] near(int blob, int d, Random rnd, double noise) {
    float[] c = centre(blob, d);
    for (int j = 0; j < d; j++) {
      c[j] += (float) (rnd.nextGaussian() * noise);
    }
    return c;
  }

  static double[][] data(int blobs, int perBlob, int d, long seed, int[] truth) {
    Random rnd = new Random(seed);
    double[][] out = new double[blobs * perBlob][];
    for (int b = 0; b < blobs; b++) {
      for (int i = 0; i < perBlob; i++) {
        float[] v = near(b, d, rnd, 0.05);
        double[] x = new double[d];
        for (int j = 0; j < d; j++) {
          x[j] = v[j];
        }
        out[b * perBlob + i] = x;
        truth[b * perBlob + i] = b;
      }
    }
    return out;
  }

  static final String[][] TAGS = {
      {"beach", "sea", "sun"}, {"forest", "tree", "green"}, {"city", "car", "street"}};

  /** Stock of three blobs; blob b's images carry the first two tags of TAGS[b] and sometimes the third. */
  static List<StockImage> stock(int perBlob, int d, long seed) {
    Random rnd = new Random(seed);
    List<StockImage> out = new ArrayList<>();
    for (int b = 0; b < 3; b++) {
      for (int i = 0; i < perBlob; i++) {
        java.util.Set<String> tags = new java.util.LinkedHashSet<>();
        tags.add(TAGS[b][0]);
        if (i % 2 == 0) {
          tags.add(TAGS[b][1]);
        }
        if (i % 5 == 0) {
          tags.add(TAGS[b][2]);
        }
        out.add(new StockImage("b" + b + "-" + i, near(b, d, rnd, 0.05), tags, null));
      }
    }
    return out;
  }
}
