package io.sightline.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.TestImages;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExifOrientationTest {

  /** A JPEG of {@code img} with an APP1 Exif segment holding only the orientation tag. */
  static byte[] jpegWithOrientation(BufferedImage img, int orientation) {
    byte[] jpeg = TestImages.jpegBytes(img, 0.95f);
    ByteBuffer tiff = ByteBuffer.allocate(26).order(ByteOrder.LITTLE_ENDIAN);
    tiff.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8); // header, IFD at 8
    tiff.putShort((short) 1); // one entry
    tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
    tiff.putInt(0); // no next IFD
    byte[] exif = new byte[6 + tiff.capacity()];
    System.arraycopy("Exif\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, exif, 0, 6);
    System.arraycopy(tiff.array(), 0, exif, 6, tiff.capacity());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2); // SOI
    int len = exif.length + 2;
    out.write(0xFF);
    out.write(0xE1);
    out.write(len >> 8);
    out.write(len & 0xFF);
    out.write(exif, 0, exif.length);
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }

  /** 120x60: red on the left half, blue on the right, a green square at the top-left corner. */
  static BufferedImage marked() {
    BufferedImage img = new BufferedImage(120, 60, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.RED);
    g.fillRect(0, 0, 60, 60);
    g.setColor(Color.BLUE);
    g.fillRect(60, 0, 60, 60);
    g.setColor(Color.GREEN);
    g.fillRect(0, 0, 20, 20);
    g.dispose();
    return img;
  }

  static boolean green(BufferedImage img, int x, int y) {
    Color c = new Color(img.getRGB(x, y));
    return c.getGreen() > 180 && c.getRed() < 90 && c.getBlue() < 90;
  }

  @Test
  void rotatedPhonePhotoDecodesUpright() {
    // orientation 6: the stored pixels must be turned 90 degrees clockwise to be upright
    BufferedImage img = ImageLoader.defaults().load(jpegWithOrientation(marked(), 6));
    assertThat(img.getWidth()).isEqualTo(60);
    assertThat(img.getHeight()).isEqualTo(120);
    // the stored top-left corner is now at the top-right; red (stored left) is on top
    assertThat(green(img, 50, 8)).isTrue();
    assertThat(green(img, 8, 8)).isFalse();
    assertThat(new Color(img.getRGB(30, 40)).getRed()).isGreaterThan(180);
    assertThat(new Color(img.getRGB(30, 100)).getBlue()).isGreaterThan(180);
    assertThat(ExifOrientation.read(jpegWithOrientation(marked(), 6))).isEqualTo(6);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void everyOrientationPutsTheCornerWhereTheTagSays(int orientation) {
    BufferedImage img = ImageLoader.defaults().load(jpegWithOrientation(marked(), orientation));
    boolean swapped = orientation >= 5;
    assertThat(img.getWidth()).isEqualTo(swapped ? 60 : 120);
    int w = img.getWidth();
    int h = img.getHeight();
    // where the stored top-left corner lands, per the EXIF specification
    int[][] corner = {{0, 0}, {0, 0}, {w - 1, 0}, {w - 1, h - 1}, {0, h - 1}, {0, 0}, {w - 1, 0}, {w - 1, h - 1},
        {0, h - 1}};
    int cx = corner[orientation][0] == 0 ? 8 : w - 9;
    int cy = corner[orientation][1] == 0 ? 8 : h - 9;
    assertThat(green(img, cx, cy)).as("orientation " + orientation).isTrue();
  }

  @Test
  void noTagMeansAsStored() {
    byte[] plain = TestImages.jpegBytes(marked(), 0.95f);
    assertThat(ExifOrientation.read(plain)).isEqualTo(1);
    assertThat(ImageLoader.defaults().load(plain).getWidth()).isEqualTo(120);
  }
}
