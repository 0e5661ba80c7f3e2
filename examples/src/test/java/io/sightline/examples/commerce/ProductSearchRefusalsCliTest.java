package io.sightline.examples.commerce;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.examples.CliRun;
import io.sightline.examples.cli.CliSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code product search}: a folder that is not a catalog (a describer store) is refused with exit 1
 * and left untouched; thresholds that are not numbers are usage errors (exit 2).
 */
class ProductSearchRefusalsCliTest {
  static final Path PHOTO = Path.of("../testdata/photos").toAbsolutePath().normalize();

  private static Path anyPhoto() throws Exception {
    try (var s = Files.list(PHOTO)) {
      return s.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
    }
  }

  @Test
  void aDescriberStoreIsNotSearchedAsACatalogNorTurnedIntoOne(@TempDir Path tmp) throws Exception {
    Path store = Files.createDirectories(tmp.resolve("store"));
    Files.write(store.resolve("references.mv.db"), new byte[] {1, 2, 3});
    CliRun r = CliRun.of("product", "search", "--db", store.toString(), anyPhoto().toString());
    assertThat(r.code()).as(r.err()).isEqualTo(CliSupport.FAILURE);
    assertThat(r.err()).contains("not a product catalog").contains(store.toString());
    assertThat(store.resolve("catalog.mv.db")).doesNotExist();
    try (var files = Files.list(store)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("references.mv.db");
    }
  }

  @Test
  void nanThresholdsAreUsageErrors(@TempDir Path tmp) throws Exception {
    for (String option : new String[] {"--rank-threshold", "--entropy-threshold"}) {
      CliRun r = CliRun.of("product", "search", "--db", tmp.resolve("none").toString(), option, "NaN",
          anyPhoto().toString());
      assertThat(r.code()).as(option + ": " + r.err()).isEqualTo(CliSupport.USAGE);
      assertThat(r.err()).contains(option);
    }
  }
}
