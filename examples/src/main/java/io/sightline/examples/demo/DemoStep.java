package io.sightline.examples.demo;

import java.nio.file.Path;
import java.util.Map;

/**
 * One capability's part of {@code sightline demo}. Each step works on the bundled images, writes
 * what it makes under its own folder of the demo output, and returns a summary that the demo
 * prints as one JSON line.
 */
public interface DemoStep {
  /** @return short name, also the output sub-folder ("search", "describe", ...) */
  String name();

  /**
   * @param data the bundled test data folder (testdata/)
   * @param out this step's output folder (created)
   * @return a JSON-serialisable summary (figures and paths)
   * @throws Exception on failure; the demo reports it and exits 1
   */
  Map<String, Object> run(Path data, Path out) throws Exception;
}
