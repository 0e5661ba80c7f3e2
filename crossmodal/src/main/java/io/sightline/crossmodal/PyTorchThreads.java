package io.sightline.crossmodal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PyTorch intra-op thread count the library uses when the user set none: one thread per
 * training or scoring call. PyTorch's own default (every core, spinning OpenMP workers) made
 * training 5–10× slower on a busy 2-core machine, and a process that had already started PyTorch
 * (for example the describer's LSTM scorer) kept that default. Set {@code ai.djl.pytorch.num_threads}
 * or {@code OMP_NUM_THREADS} to choose another count; the library then leaves it alone.
 */
final class PyTorchThreads {
  private static final Logger LOG = LoggerFactory.getLogger(PyTorchThreads.class);
  static final String PROPERTY = "ai.djl.pytorch.num_threads";

  private PyTorchThreads() {}

  /**
   * @param property the value of {@value #PROPERTY}, or null
   * @param ompEnv the value of {@code OMP_NUM_THREADS}, or null
   * @return the thread count to set, or 0 when the user chose one
   */
  static int threadsFor(String property, String ompEnv) {
    boolean chosen = (property != null && !property.isBlank()) || (ompEnv != null && !ompEnv.isBlank());
    return chosen ? 0 : 1;
  }

  /** Applies the default to the running engine (also when it started earlier with its own). */
  static void applyDefault() {
    int n = threadsFor(System.getProperty(PROPERTY), System.getenv("OMP_NUM_THREADS"));
    if (n == 0) {
      return;
    }
    try {
      ai.djl.engine.Engine.getEngine("PyTorch");
      if (ai.djl.pytorch.jni.JniUtils.getNumThreads() != n) {
        ai.djl.pytorch.jni.JniUtils.setNumThreads(n);
        LOG.debug("PyTorch intra-op threads set to {}", n);
      }
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("could not set PyTorch threads: {}", e.toString());
    }
  }
}
