package io.sightline.core.onnx;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * A pool of DJL {@link Predictor}s over one loaded model. Predictors are not thread-safe, so each
 * call borrows an idle one (creating one when none is idle) and returns it afterwards: concurrent
 * callers never share one, and the pool grows only to the number of concurrent callers. After
 * {@link #close()} returned predictors are closed instead of kept. The model itself is closed by
 * its owner.
 *
 * @param <I> translator input
 * @param <O> translator output
 */
final class PredictorPool<I, O> {
  private final Model model;
  private final Translator<I, O> translator;
  private final ConcurrentLinkedDeque<Predictor<I, O>> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  PredictorPool(Model model, Translator<I, O> translator) {
    this.model = model;
    this.translator = translator;
  }

  /**
   * @param input the batch
   * @return the translated output
   * @throws TranslateException when the engine or the translator fails
   */
  O predict(I input) throws TranslateException {
    Predictor<I, O> p = idle.pollFirst();
    if (p == null) {
      p = model.newPredictor(translator);
    }
    try {
      return p.predict(input);
    } finally {
      if (closed) {
        p.close();
      } else {
        idle.offerFirst(p);
        if (closed) {
          drain();
        }
      }
    }
  }

  /** Closes the idle predictors; those in use are closed when they come back. */
  void close() {
    closed = true;
    drain();
  }

  private void drain() {
    Predictor<I, O> p;
    while ((p = idle.pollFirst()) != null) {
      p.close();
    }
  }
}
