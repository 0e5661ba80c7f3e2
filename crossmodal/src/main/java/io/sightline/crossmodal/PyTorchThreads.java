package io.sightline.crossmodal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The library's default for PyTorch's intra-op threads: one thread per calling worker, unless the
 * user set {@code ai.djl.pytorch.num_threads} (system property) or {@code OMP_NUM_THREADS}.
 * PyTorch otherwise starts one thread per core for every op; on a shared or busy machine, and
 * with several workers each running a model, those threads fight for the cores and a small model
 * trains 5–10× slower. Set {@code -Dai.djl.pytorch.num_threads=N} to give one model N cores.
 */
final class PyTorchThreads {
  private static final Logger LOG = LoggerFactory.getLogger(PyTorchThreads.class);
  static final String PROPERTY = "ai.djl.pytorch.num_threads";
  private static volatile boolean applied;

  private PyTorchThreads() {}

  /** Applies the default once per process (before or after the engine started). */
  static void applyDefault() {
    if (applied) {
      return;
    }
    synchronized (PyTorchThreads.class) {
      if (applied) {
        return;
      }
      applied = true;
      if (System.getProperty(PROPERTY) != null || System.getenv("OMP_NUM_THREADS") != null) {
        return;
      }
      // read by DJL when the engine starts; set at run time too in case it already started
      System.setProperty(PROPERTY, "1");
      try {
        ai.djl.engine.Engine.getEngine("PyTorch");
        ai.djl.pytorch.jni.JniUtils.setNumThreads(1);
      } catch (RuntimeException | LinkageError e) {
        LOG.debug("could not set PyTorch threads: {}", e.toString());
      }
    }
  }

  /** @return the intra-op threads in effect, as PyTorch reports them (-1 when unknown) */
  static int current() {
    try {
      return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    } catch (RuntimeException | LinkageError e) {
      return -1;
    }
  }
}
