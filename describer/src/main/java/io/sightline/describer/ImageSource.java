package io.sightline.describer;

import io.sightline.core.ImageDecodeException;
import io.sightline.core.ImageTooLargeException;
import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the pixels of a reference image come from: a file (external storage), bytes (a user's
 * upload) or a URL (a network image). Each source implies a default {@link Origin}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ImageSource {
  private enum Kind { PATH, BYTES, URL }

  private final Kind kind;
  private final Path path;
  private final byte[] bytes;
  private final URI uri;
  private final String name;
  private final Duration timeout;

  private ImageSource(Kind kind, Path path, byte[] bytes, URI uri, String name, Duration timeout) {
    this.kind = kind;
    this.path = path;
    this.bytes = bytes;
    this.uri = uri;
    this.name = name;
    this.timeout = timeout;
  }

  /**
   * @param path an image file
   * @return a source reading the file (origin {@link Origin#EXTERNAL_STORAGE})
   */
  public static ImageSource ofPath(Path path) {
    Objects.requireNonNull(path, "path");
    return new ImageSource(Kind.PATH, path, null, null, path.toString(), null);
  }

  /**
   * @param bytes encoded image bytes (copied)
   * @param name a name for messages and for the stored location, e.g. the upload's file name
   * @return a source decoding the bytes (origin {@link Origin#USER})
   */
  public static ImageSource ofBytes(byte[] bytes, String name) {
    Objects.requireNonNull(bytes, "bytes");
    return new ImageSource(Kind.BYTES, null, bytes.clone(), null,
        name == null ? "upload" : name, null);
  }

  /**
   * A network image, fetched with {@link HttpClient} when the store ingests it (never at query time).
   * The download is limited to the loader's byte budget.
   *
   * @param uri http or https URL of the image
   * @param timeout connect and read timeout
   * @return a source fetching the URL (origin {@link Origin#NETWORK})
   */
  public static ImageSource ofUrl(URI uri, Duration timeout) {
    Objects.requireNonNull(uri, "uri");
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      throw new IllegalArgumentException("only http and https image URLs are supported: " + uri);
    }
    return new ImageSource(Kind.URL, null, null, uri, uri.toString(),
        timeout == null ? Duration.ofSeconds(20) : timeout);
  }

  /** @return the default origin of this kind of source */
  public Origin defaultOrigin() {
    return switch (kind) {
      case PATH -> Origin.EXTERNAL_STORAGE;
      case BYTES -> Origin.USER;
      case URL -> Origin.NETWORK;
    };
  }

  /** @return a printable location: the path, the URL, or the upload's name */
  public String location() {
    return name;
  }

  /**
   * Reads and decodes the image.
   *
   * @param loader the decoder with its size limits
   * @return the image (TYPE_INT_RGB)
   * @throws ImageDecodeException when the file is missing, the download fails, or the bytes are
   *     not an image
   */
  public BufferedImage load(ImageLoader loader) {
    return switch (kind) {
      case PATH -> {
        if (!Files.isRegularFile(path)) {
          throw new ImageDecodeException(path + ": image file not found");
        }
        yield loader.load(path);
      }
      case BYTES -> loader.load(bytes);
      case URL -> loader.load(fetch(loader.maxBytes()));
    };
  }

  private byte[] fetch(long maxBytes) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    try {
      HttpResponse<InputStream> resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = resp.body()) {
        if (resp.statusCode() != 200) {
          throw new ImageDecodeException(uri + ": HTTP status " + resp.statusCode());
        }
        byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (data.length > maxBytes) {
          throw new ImageTooLargeException(uri + ": more than " + maxBytes + " bytes");
        }
        return data;
      }
    } catch (IOException e) {
      throw new ImageDecodeException(uri + ": download failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImageDecodeException(uri + ": download interrupted", e);
    }
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
  }
}
