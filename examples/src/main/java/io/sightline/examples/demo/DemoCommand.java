package io.sightline.examples.demo;

import io.sightline.examples.cli.CliSupport;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sightline demo}: runs every capability on the bundled public-domain images and writes
 * its outputs under {@code ./sightline-demo/}. Prints one JSON summary line per step.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run every capability on the bundled images; outputs go to ./sightline-demo/.")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--out", description = "output folder (default: ${DEFAULT-VALUE})")
  Path out = Path.of("sightline-demo");

  @Option(names = "--data", description = "image folder to use instead of the bundled images")
  Path data;

  @Option(names = "--only", split = ",", paramLabel = "STEP",
      description = "run only these steps (comma separated): search, tagging, posters, describe, product, crossmodal")
  List<String> only;

  /** @return the demo's steps, in order; each capability adds its own */
  static List<DemoStep> steps() {
    return List.of(
        new SearchDemo()
        , new io.sightline.examples.tagging.TaggingDemo()
        , new io.sightline.examples.posters.PostersDemo()
        , new io.sightline.examples.describer.DescribeDemo()
        , new io.sightline.examples.commerce.ProductSearchDemo()
        , new io.sightline.examples.crossmodal.CrossmodalDemo()
        // capability demo steps register here, one line each
    );
  }

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (only != null) {
      only = only.stream().map(x -> x.strip().toLowerCase(java.util.Locale.ROOT)).toList();
      List<String> known = steps().stream().map(DemoStep::name).toList();
      List<String> unknown = only.stream().filter(s -> !known.contains(s)).toList();
      if (!unknown.isEmpty() || only.isEmpty()) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--only: unknown step(s) "
            + String.join(", ", unknown) + " (the steps: " + String.join(", ", known) + ")");
      }
    }
    CliSupport.requireFolder(spec, data, "--data", null);
    Path dataDir = data != null ? data : bundledData(out.resolve("data"));
    Files.createDirectories(out);
    List<Map<String, Object>> summaries = new ArrayList<>();
    for (DemoStep step : steps()) {
      if (only != null && !only.contains(step.name())) {
        continue;
      }
      Path stepOut = out.resolve(step.name());
      Files.createDirectories(stepOut);
      System.err.println("[demo] " + step.name() + " ...");
      long t0 = System.nanoTime();
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("step", step.name());
      summary.putAll(step.run(dataDir, stepOut));
      summary.put("seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
      CliSupport.printJsonLine(summary);
      summaries.add(summary);
    }
    Files.writeString(out.resolve("summary.json"),
        CliSupport.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summaries));
    System.err.println("[demo] done; outputs in " + out.toAbsolutePath());
    // the demo's input files (refs.jsonl, tags.csv, catalog.csv, intent.csv, the poster template)
    // name images under data/, outside their own folders: say how to feed them to the CLI
    System.err.println("[demo] its input files name images in " + out.toAbsolutePath().resolve("data")
        + "; to feed one to a command, add --allowed-root " + out.toAbsolutePath().resolve("data")
        + " (e.g. sightline describe index --refs " + out.toAbsolutePath().resolve("describe/refs.jsonl")
        + " --db my-db --allowed-root " + out.toAbsolutePath().resolve("data") + ")");
    return CliSupport.OK;
  }

  /**
   * Copies the images bundled in the jar (resources under {@code sightline-testdata/}) to a folder.
   *
   * @param target where to copy
   * @return the folder
   * @throws IOException on failure
   */
  static Path bundledData(Path target) throws IOException {
    URL marker = DemoCommand.class.getResource("/sightline-testdata/README.md");
    if (marker == null) {
      throw new IllegalStateException("bundled test data missing from the class path; pass --data DIR");
    }
    try {
      URI uri = marker.toURI();
      if (uri.getScheme().equals("jar")) {
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
          copyTree(fs.getPath("/sightline-testdata"), target);
        }
      } else {
        copyTree(Path.of(uri).getParent(), target);
      }
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    return target;
  }

  private static void copyTree(Path src, Path dst) throws IOException {
    try (Stream<Path> walk = Files.walk(src)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path rel = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(rel);
        } else {
          try (InputStream in = Files.newInputStream(p)) {
            Files.copy(in, rel, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    }
  }
}
