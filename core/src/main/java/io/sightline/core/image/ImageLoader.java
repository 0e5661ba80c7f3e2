package io.sightline.core.image;

import io.sightline.core.ImageDecodeException;
import io.sightline.core.ImageTooLargeException;
import io.sightline.core.io.ConfinedPaths;
import io.sightline.core.io.RegularFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes images from paths, bytes or streams with ImageIO (plus the TwelveMonkeys plugins on the
 * class path: CMYK JPEG, WebP, BMP, TIFF), under a byte and a pixel budget.
 *
 * <p>The image's declared dimensions are read from its header <em>before</em> any pixel is
 * decoded, so a decompression bomb (a small file declaring a huge image) is refused with an
 * {@link ImageTooLargeException} without allocating its pixels. Empty, truncated, unreadable and
 * non-image input raises {@link ImageDecodeException} with a message naming the source.
 *
 * <p>Files are read only when they are regular files: a device ({@code /dev/zero},
 * {@code /dev/urandom}), a FIFO or a socket, or a link to one, is refused with an
 * {@link ImageDecodeException} naming the path before it is opened, and the byte budget is
 * counted while reading, not taken from {@code Files.size()} (which is 0 for a device).
 *
 * <p>A path that {@link io.sightline.core.io.InputFiles#resolve} confined to a folder is opened
 * with {@link ConfinedPaths#readAll}, which follows no symbolic link out of that folder even if
 * one was swapped in after the check.
 *
 * <p>A JPEG's EXIF orientation is applied ({@link ExifOrientation}), so a phone photo taken upright
 * decodes upright whatever way the sensor stored it; {@link #loadRaw} applies it too.
 *
 * <p><b>Memory.</b> Before decoding, the pixels' cost in memory is estimated from the declared size
 * (8 bytes per pixel: the decoded raster and its RGB copy). When it is over the decode budget
 * (by default a quarter of the JVM's maximum heap, {@link #withDecodeBudget}), the image is
 * decoded subsampled (every n-th pixel in each direction, as few as needed) instead of running
 * out of memory, and a warning is logged; e.g. with {@code -Xmx256m} a 49-megapixel PNG decodes
 * at a third of its width and height. An {@link OutOfMemoryError} while decoding is reported as
 * an {@link ImageDecodeException} for that image only.
 *
 * <p>Instances are immutable and thread-safe. Multi-frame images (animated GIF, multi-page TIFF)
 * yield their first frame.
 */
public final class ImageLoader {
  private static final Logger LOG = LoggerFactory.getLogger(ImageLoader.class);

  /** Default pixel budget: 50 megapixels (e.g. 8660 x 5773). */
  public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
  /** Default byte budget: 64 MiB of encoded input. */
  public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

  /** Bytes of memory a decoded pixel costs: the decoded raster and its RGB copy, 4 bytes each. */
  static final int BYTES_PER_DECODED_PIXEL = 8;

  private static final ImageLoader DEFAULT = new ImageLoader(DEFAULT_MAX_PIXELS, DEFAULT_MAX_BYTES, 0);

  static {
    ImageIO.setUseCache(false);
    ImageIO.scanForPlugins();
  }

  private final long maxPixels;
  private final long maxBytes;
  /** Decode budget in bytes; 0: a quarter of the maximum heap, read at each decode. */
  private final long decodeBudget;

  private ImageLoader(long maxPixels, long maxBytes, long decodeBudget) {
    this.maxPixels = maxPixels;
    this.maxBytes = maxBytes;
    this.decodeBudget = decodeBudget;
  }

  /** @return a loader with the default budgets */
  public static ImageLoader defaults() {
    return DEFAULT;
  }

  /**
   * @param maxPixels largest width x height accepted
   * @param maxBytes largest encoded size accepted
   * @return a loader with these budgets
   */
  public static ImageLoader withLimits(long maxPixels, long maxBytes) {
    if (maxPixels <= 0 || maxBytes <= 0) {
      throw new IllegalArgumentException("limits must be positive");
    }
    return new ImageLoader(maxPixels, maxBytes, 0);
  }

  /**
   * @param bytes memory one decoded image may take (estimated at 8 bytes per pixel); larger
   *     images are decoded subsampled to fit. Default: a quarter of {@code Runtime.maxMemory()}.
   * @return a loader with this decode budget and the same other budgets
   */
  public ImageLoader withDecodeBudget(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("decode budget must be positive");
    }
    return new ImageLoader(maxPixels, maxBytes, bytes);
  }

  /** @return the decode budget in bytes (see {@link #withDecodeBudget}) */
  public long decodeBudget() {
    return decodeBudget > 0 ? decodeBudget : Runtime.getRuntime().maxMemory() / 4;
  }

  /**
   * @return the subsampling step that brings a w x h image within {@code budget} bytes at
   *     {@link #BYTES_PER_DECODED_PIXEL}: 1 when it fits
   */
  static int subsampling(long w, long h, long budget) {
    int step = 1;
    while ((ceilDiv(w, step) * ceilDiv(h, step)) * BYTES_PER_DECODED_PIXEL > budget && step < Math.max(w, h)) {
      step++;
    }
    return step;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  /** @return the pixel budget */
  public long maxPixels() {
    return maxPixels;
  }

  /** @return the byte budget */
  public long maxBytes() {
    return maxBytes;
  }

  /**
   * Decodes an image file to RGB (alpha composited on white).
   *
   * @param path the file
   * @return the decoded image, {@link BufferedImage#TYPE_INT_RGB}
   */
  public BufferedImage load(Path path) {
    return ImageOps.toRgb(loadRaw(path));
  }

  /**
   * @param bytes encoded image
   * @return the decoded image, {@link BufferedImage#TYPE_INT_RGB}
   */
  public BufferedImage load(byte[] bytes) {
    return ImageOps.toRgb(decode(bytes, "byte array"));
  }

  /**
   * Reads the stream up to the byte budget (it is not closed) and decodes it.
   *
   * @param in encoded image
   * @return the decoded image, {@link BufferedImage#TYPE_INT_RGB}
   */
  public BufferedImage load(InputStream in) {
    return ImageOps.toRgb(decode(readBounded(in, "stream"), "stream"));
  }

  /**
   * Decodes an image file keeping its colour model (alpha included).
   *
   * @param path the file
   * @return the decoded image as the codec produced it
   */
  public BufferedImage loadRaw(Path path) {
    return decode(readFile(path), path.toString());
  }

  /**
   * Reads only the header of an image file.
   *
   * @param path the file
   * @return format and declared dimensions
   */
  public ImageInfo probe(Path path) {
    byte[] bytes = readFile(path);
    try (ImageInputStream iis = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = readerFor(iis, path.toString());
      try {
        reader.setInput(iis, true, true);
        return new ImageInfo(reader.getFormatName().toLowerCase(Locale.ROOT),
            reader.getWidth(0), reader.getHeight(0), bytes.length);
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw new ImageDecodeException(path + ": unreadable image header: " + e.getMessage(), e);
    }
  }

  private byte[] readFile(Path path) {
    try {
      if (Files.isDirectory(path)) {
        throw new ImageDecodeException(path + ": is a directory, not an image file");
      }
      // Only regular files, checked before opening (a FIFO would block the open), and the budget
      // counted while reading: Files.size() is 0 for /dev/zero, which never ends.
      return ConfinedPaths.readAll(path, maxBytes);
    } catch (ConfinedPaths.TooLargeException e) {
      throw new ImageTooLargeException(path + ": file is over the limit of " + maxBytes + " bytes");
    } catch (ConfinedPaths.EscapeException e) {
      throw new ImageDecodeException(path + ": refused: " + e.getReason());
    } catch (RegularFiles.NotRegularFileException e) {
      throw new ImageDecodeException(path + ": refused: " + e.getReason());
    } catch (NoSuchFileException e) {
      throw new ImageDecodeException(path + ": no such file", e);
    } catch (IOException e) {
      throw new ImageDecodeException(path + ": cannot read: " + e.getMessage(), e);
    }
  }

  private byte[] readBounded(InputStream in, String source) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        if (total > maxBytes) {
          throw new ImageTooLargeException(source + ": more than " + maxBytes + " bytes");
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new ImageDecodeException(source + ": cannot read: " + e.getMessage(), e);
    }
  }

  private BufferedImage decode(byte[] bytes, String source) {
    if (bytes == null || bytes.length == 0) {
      throw new ImageDecodeException(source + ": empty input (0 bytes)");
    }
    if (bytes.length > maxBytes) {
      throw new ImageTooLargeException(source + ": " + bytes.length + " bytes, over the limit of "
          + maxBytes);
    }
    try (ImageInputStream iis = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = readerFor(iis, source);
      try {
        reader.setInput(iis, true, true);
        String format = reader.getFormatName().toLowerCase(Locale.ROOT);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w <= 0 || h <= 0) {
          throw new ImageDecodeException(source + ": declares an empty image (" + w + "x" + h + ")");
        }
        if (w * h > maxPixels) {
          throw new ImageTooLargeException(source + ": declares " + w + "x" + h + " = " + (w * h)
              + " pixels, over the limit of " + maxPixels + " (possible decompression bomb)");
        }
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener(new IIOReadWarningListener() {
          @Override
          public void warningOccurred(ImageReader r, String warning) {
            warnings.add(warning);
          }
        });
        int step = subsampling(w, h, decodeBudget());
        javax.imageio.ImageReadParam param = reader.getDefaultReadParam();
        if (step > 1) {
          param.setSourceSubsampling(step, step, 0, 0);
          LOG.warn("{}: {}x{} pixels need about {} MiB to decode, over the decode budget of {} MiB; decoding it at"
              + " 1/{} of its width and height ({}x{})", source, w, h, w * h * BYTES_PER_DECODED_PIXEL >> 20, decodeBudget() >> 20, step,
              ceilDiv(w, step), ceilDiv(h, step));
        }
        BufferedImage img = reader.read(0, param);
        if (img == null) {
          throw new ImageDecodeException(source + ": decoder returned no image");
        }
        for (String warning : warnings) {
          String lower = warning.toLowerCase(Locale.ROOT);
          if (lower.contains("premature") || lower.contains("truncat") || lower.contains("corrupt")) {
            throw new ImageDecodeException(source + ": truncated or corrupt " + format + ": " + warning);
          }
          LOG.debug("{}: decoder warning: {}", source, warning);
        }
        if (isJpeg(format) && !hasJpegEnd(bytes)) {
          throw new ImageDecodeException(source + ": truncated jpeg (no end-of-image marker)");
        }
        if (isJpeg(format)) {
          int orientation = ExifOrientation.read(bytes);
          if (orientation != 1) {
            LOG.debug("{}: EXIF orientation {} applied", source, orientation);
            return ExifOrientation.apply(img, orientation);
          }
        }
        return img;
      } finally {
        reader.dispose();
      }
    } catch (ImageDecodeException e) {
      throw e;
    } catch (IOException | RuntimeException | OutOfMemoryError e) {
      // Codecs signal corrupt data with IOException, but also with IndexOutOfBounds,
      // IllegalArgument, NegativeArraySize and similar; all of them mean "cannot decode".
      throw new ImageDecodeException(source + ": unreadable or truncated image: " + e, e);
    }
  }

  private static ImageReader readerFor(ImageInputStream iis, String source) {
    if (iis == null) {
      throw new ImageDecodeException(source + ": cannot open as an image stream");
    }
    Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
    if (!readers.hasNext()) {
      throw new ImageDecodeException(source + ": not an image in any supported format "
          + "(JPEG, PNG, GIF, BMP, WebP, TIFF)");
    }
    return readers.next();
  }

  private static boolean isJpeg(String format) {
    return format.equals("jpeg") || format.equals("jpg");
  }

  private static boolean hasJpegEnd(byte[] b) {
    // Scan back over trailing padding for the EOI marker FF D9.
    int i = b.length - 1;
    int limit = Math.max(1, b.length - 4096);
    while (i >= limit && (b[i] == 0 || b[i] == (byte) 0xFF || b[i] == '\n' || b[i] == '\r')) {
      i--;
    }
    for (int j = i; j >= limit; j--) {
      if (b[j] == (byte) 0xD9 && b[j - 1] == (byte) 0xFF) {
        return true;
      }
    }
    return false;
  }
}
