package io.sightline.describer;

import io.sightline.core.ModelException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads lightgbm4j's native libraries from a private folder.
 *
 * <p>lightgbm4j extracts its two shared libraries to fixed names in {@code java.io.tmpdir}
 * ({@code /tmp/lib_lightgbm.so}) every time a JVM first uses it, overwriting the files in place.
 * A second JVM starting LightGBM therefore rewrites the code pages a first, still running JVM has
 * mapped, which crashes it (SIGSEGV in {@code lightgbmlibJNI}; seen when a benchmark and a test run
 * overlapped). Here the library's class is initialised with {@code java.io.tmpdir} pointing at a
 * fresh private folder, so each JVM maps its own copy. When the environment variable
 * {@code LIGHTGBM_NATIVE_LIB_PATH} is set, lightgbm4j loads from there and nothing is extracted.
 */
final class LightGbmNatives {
  private static final Logger LOG = LoggerFactory.getLogger(LightGbmNatives.class);
  private static final String CLASS = "io.github.metarank.lightgbm4j.LGBMBooster";
  private static volatile boolean loaded;

  private LightGbmNatives() {}

  static void ensureLoaded() {
    if (loaded) {
      return;
    }
    synchronized (LightGbmNatives.class) {
      if (loaded) {
        return;
      }
      String old = System.getProperty("java.io.tmpdir");
      Path dir = null;
      try {
        if (System.getenv("LIGHTGBM_NATIVE_LIB_PATH") == null) {
          dir = Files.createTempDirectory("sightline-lightgbm-");
          System.setProperty("java.io.tmpdir", dir.toString());
        }
        Class.forName(CLASS, true, LightGbmNatives.class.getClassLoader());
      } catch (IOException e) {
        LOG.warn("cannot make a private folder for LightGBM's native libraries ({}); using lightgbm4j's default",
            e.getMessage());
        initDefault();
      } catch (ClassNotFoundException | LinkageError e) {
        throw new ModelException("cannot load LightGBM (lightgbm4j) for this platform: " + e, e);
      } finally {
        System.setProperty("java.io.tmpdir", old);
        if (dir != null) {
          dir.toFile().deleteOnExit(); // registered first: deleted last, after the files
          try (Stream<Path> files = Files.list(dir)) {
            files.map(Path::toFile).forEach(File::deleteOnExit);
          } catch (IOException ignored) {
            // best effort cleanup
          }
        }
      }
      if (!io.github.metarank.lightgbm4j.LGBMBooster.isNativeLoaded()) {
        throw new ModelException("LightGBM native libraries did not load for "
            + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
      }
      loaded = true;
    }
  }

  private static void initDefault() {
    try {
      Class.forName(CLASS, true, LightGbmNatives.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new ModelException("cannot load LightGBM (lightgbm4j) for this platform: " + e, e);
    }
  }
}
