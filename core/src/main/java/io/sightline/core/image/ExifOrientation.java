package io.sightline.core.image;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EXIF orientation of a JPEG (phones store the sensor's pixels and a tag that says how to
 * turn them) and its application, so a photo taken upright is decoded upright. Read with
 * TwelveMonkeys' metadata readers; a missing or unreadable tag means "as stored".
 */
public final class ExifOrientation {
  private static final Logger LOG = LoggerFactory.getLogger(ExifOrientation.class);

  private ExifOrientation() {}

  /**
   * @param jpeg the bytes of a JPEG file
   * @return the EXIF orientation, 1..8 (1 = as stored, also when there is no valid tag)
   */
  public static int read(byte[] jpeg) {
    try (ImageInputStream iis = ImageIO.createImageInputStream(new ByteArrayInputStream(jpeg))) {
      List<JPEGSegment> segments = JPEGSegmentUtil.readSegments(iis, JPEG.APP1, "Exif");
      for (JPEGSegment s : segments) {
        InputStream data = s.data();
        if (data.read() == -1) { // the pad byte after "Exif\0"
          continue;
        }
        Directory exif = new TIFFReader().read(new MemoryCacheImageInputStream(data));
        Entry e = exif.getEntryById(TIFF.TAG_ORIENTATION);
        if (e != null && e.getValue() instanceof Number n && n.intValue() >= 1 && n.intValue() <= 8) {
          return n.intValue();
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("no readable EXIF orientation: {}", e.toString());
    }
    return 1;
  }

  /**
   * Turns and mirrors an image as its EXIF orientation says.
   *
   * @param img the decoded (stored) pixels
   * @param orientation EXIF orientation 1..8
   * @return the upright image (the same object for orientation 1)
   */
  public static BufferedImage apply(BufferedImage img, int orientation) {
    if (orientation <= 1 || orientation > 8) {
      return img;
    }
    int w = img.getWidth();
    int h = img.getHeight();
    boolean swap = orientation >= 5;
    int ow = swap ? h : w;
    int oh = swap ? w : h;
    int type = img.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
    BufferedImage out = new BufferedImage(ow, oh, type);
    int[] src = img.getRGB(0, 0, w, h, null, 0, w);
    int[] dst = new int[ow * oh];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int nx;
        int ny;
        switch (orientation) {
          case 2 -> { nx = w - 1 - x; ny = y; }             // mirror horizontal
          case 3 -> { nx = w - 1 - x; ny = h - 1 - y; }     // rotate 180
          case 4 -> { nx = x; ny = h - 1 - y; }             // mirror vertical
          case 5 -> { nx = y; ny = x; }                     // transpose
          case 6 -> { nx = h - 1 - y; ny = x; }             // rotate 90 clockwise
          case 7 -> { nx = h - 1 - y; ny = w - 1 - x; }     // transverse
          default -> { nx = y; ny = w - 1 - x; }            // 8: rotate 90 counter-clockwise
        }
        dst[ny * ow + nx] = src[y * w + x];
      }
    }
    out.setRGB(0, 0, ow, oh, dst, 0, ow);
    return out;
  }
}
