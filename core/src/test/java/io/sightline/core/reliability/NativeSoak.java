package io.sightline.core.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * Measures native-memory growth over a soak: runs the same batch of operations in rounds and
 * records, after each round, the process resident set minus the committed Java heap (heap
 * expansion is not a native leak). A leak grows with every round; allocator caches and JIT code
 * settle after the first ones. Tests therefore bound both {@link Result#totalMb()} and
 * {@link Result#slopeMb()} (the growth after round 1).
 *
 * <p>Used by the soak tests of core (ONNX Runtime, OpenCV), describer (LightGBM) and crossmodal
 * (PyTorch). {@code -Dsightline.soak.rounds=N} runs a longer soak; BENCHMARKS.md records both.
 */
public final class NativeSoak {
  private static final Path STATUS = Path.of("/proc/self/status");

  private NativeSoak() {}

  /**
   * @param rounds rounds measured
   * @param operations operations run in the measured rounds
   * @param rssStartMb resident set before round 1
   * @param rssEndMb resident set after the last round
   * @param heapStartMb committed heap before round 1
   * @param heapEndMb committed heap after the last round
   * @param growthMb growth beyond the heap after each round, relative to the start
   */
  public record Result(int rounds, int operations, long rssStartMb, long rssEndMb, long heapStartMb,
      long heapEndMb, long[] growthMb) {
    /** Copies the array. */
    public Result {
      growthMb = growthMb.clone();
    }

    /** @return native growth after the last round */
    public long totalMb() {
      return growthMb[growthMb.length - 1];
    }

    /** @return native growth from the end of round 1 to the end of the last round */
    public long slopeMb() {
      return growthMb[growthMb.length - 1] - growthMb[0];
    }

    /** @return one line with every figure, for the log and BENCHMARKS.md */
    public String summary() {
      return operations + " operations in " + rounds + " rounds; RSS " + rssStartMb + " -> " + rssEndMb
          + " MB, committed heap " + heapStartMb + " -> " + heapEndMb + " MB; growth beyond the heap after each"
          + " round " + Arrays.toString(growthMb) + " MB: total " + totalMb() + " MB, rounds 2-" + rounds + " "
          + slopeMb() + " MB";
    }
  }

  /** @return whether the resident set can be read (Linux /proc) */
  public static boolean supported() {
    return Files.isReadable(STATUS);
  }

  /**
   * @param defaultRounds rounds when {@code sightline.soak.rounds} is not set
   * @return the number of rounds to run (at least 2)
   */
  public static int rounds(int defaultRounds) {
    return Math.max(2, Integer.getInteger("sightline.soak.rounds", defaultRounds));
  }

  /**
   * Runs {@code round} {@code rounds} times, measuring after a settle (GC) before the first and
   * after each.
   *
   * @param rounds number of measured rounds (at least 2)
   * @param round runs one round and returns how many operations it did
   * @return the figures
   */
  public static Result run(int rounds, IntSupplier round) {
    if (rounds < 2) {
      throw new IllegalArgumentException("a slope needs at least 2 rounds");
    }
    settle();
    long rss0 = rssMb();
    long heap0 = heapCommittedMb();
    long native0 = rss0 - heap0;
    long[] growth = new long[rounds];
    int ops = 0;
    long rss = rss0;
    long heap = heap0;
    for (int r = 0; r < rounds; r++) {
      ops += round.getAsInt();
      settle();
      rss = rssMb();
      heap = heapCommittedMb();
      growth[r] = rss - heap - native0;
    }
    return new Result(rounds, ops, rss0, rss, heap0, heap, growth);
  }

  /** @return the resident set size in MiB */
  public static long rssMb() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no VmRSS in " + STATUS);
  }

  /** @return the committed Java heap in MiB */
  public static long heapCommittedMb() {
    return Runtime.getRuntime().totalMemory() / (1024 * 1024);
  }

  /** Runs the collector a few times so released objects free their native memory. */
  @SuppressWarnings("removal")
  public static void settle() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      System.runFinalization();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
