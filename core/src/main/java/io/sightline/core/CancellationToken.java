package io.sightline.core;

/**
 * Lets a caller stop long work from another thread. Work checks {@link #throwIfCancelled()} at
 * safe points and leaves stored state as it was before the work began.
 */
public final class CancellationToken {
  /** A token that is never cancelled. */
  public static final CancellationToken NONE = new CancellationToken();

  private volatile boolean cancelled;

  /** Asks the work to stop at its next safe point. */
  public void cancel() {
    if (this == NONE) {
      throw new IllegalStateException("CancellationToken.NONE cannot be cancelled");
    }
    cancelled = true;
  }

  /** @return whether {@link #cancel()} was called */
  public boolean isCancelled() {
    return cancelled;
  }

  /** @throws CancelledException when cancelled */
  public void throwIfCancelled() {
    if (cancelled) {
      throw new CancelledException("cancelled by caller");
    }
  }
}
