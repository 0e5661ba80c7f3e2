package io.sightline.crossmodal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Times the global gradient norm of a training step on the evaluation's model size (width 64, 2
 * layers, 4 heads): {@link GradientClipping#scaleFor} against the earlier per-parameter form (two
 * reads back to Java per parameter), interleaved in one JVM. Not a test; run with {@code java} on
 * the test class path: {@code ClippingTiming [rounds] [calls per round]}.
 */
public final class ClippingTiming {
  private ClippingTiming() {}

  /**
   * @param args rounds (default 5), calls per round and form (default 300)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    Path dir = Files.createTempDirectory("clipping-timing");
    List<ImageTextPair> pairs = Fixtures.shapes(dir, 4, 3);
    try (CrossModalModel model = CrossModalTrainer.builder().pairs(pairs).width(64).layers(2).heads(4)
        .epochs(1).batchSize(16).seed(1).build().train().model()) {
      CrossModalBlock block = model.block;
      NDManager m = block.getParameters().valueAt(0).getArray().getManager();
      int n = 0;
      try (GradientCollector gc = m.getEngine().newGradientCollector(); NDManager sub = m.newSubManager()) {
        NDArray sum = sub.zeros(new ai.djl.ndarray.types.Shape());
        for (Parameter p : block.getParameters().values()) {
          p.getArray().setRequiresGradient(true);
          sum = sum.add(p.getArray().square().sum());
          n++;
        }
        gc.backward(sum);
      }
      System.out.printf(Locale.ROOT, "%d parameters with gradients; load average %s%n", n,
          Files.readString(Path.of("/proc/loadavg")).trim());
      float a = 0;
      float b = 0;
      for (int r = 0; r <= rounds; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
          a += perParameter(block, 1.0);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
          b += GradientClipping.scaleFor(block, 1.0);
        }
        long t2 = System.nanoTime();
        if (r > 0) { // round 0 warms up
          System.out.printf(Locale.ROOT, "round %d: per parameter %.3f ms, one read %.3f ms per call (ratio %.2f)%n",
              r, (t1 - t0) / 1e6 / calls, (t2 - t1) / 1e6 / calls, (double) (t2 - t1) / (t1 - t0));
        }
      }
      System.out.printf(Locale.ROOT, "same factor: %s (%g vs %g)%n", Math.abs(a - b) <= 1e-4f * Math.abs(a), a, b);
    }
  }

  /** The form before: the largest magnitude, then the scaled sum of squares, read per parameter. */
  private static float perParameter(CrossModalBlock block, double maxNorm) {
    double sq = 0;
    for (Parameter p : block.getParameters().values()) {
      if (!p.requiresGradient() || !p.isInitialized() || !p.getArray().hasGradient()) {
        continue;
      }
      try (NDArray g = p.getArray().getGradient(); NDArray mx = g.abs().max()) {
        float largest = mx.getFloat();
        if (largest == 0f) {
          continue;
        }
        try (NDArray scaled = g.div(largest); NDArray s = scaled.square().sum()) {
          sq += (double) s.getFloat() * largest * largest;
        }
      }
    }
    double norm = Math.sqrt(sq);
    return norm <= maxNorm ? 1f : (float) (maxNorm / (norm + 1e-6));
  }
}
