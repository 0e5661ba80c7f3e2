package io.sightline.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.ImageDecodeException;
import io.sightline.core.ImageTooLargeException;
import io.sightline.core.TestImages;
import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time-of-check to time-of-use: a path passes {@link InputFiles#resolve}, then a directory or the
 * file is swapped for a symbolic link that leads out of the allowed folder before the image is
 * read. A plain read would follow the link; {@link ImageLoader} must not.
 */
class ConfinedPathsTest {
  @TempDir
  Path tmp;
  Path root;
  Path outside;
  InputFiles in;
  static final ImageLoader LOADER = ImageLoader.defaults();

  @BeforeEach
  void setUp() throws Exception {
    root = Files.createDirectories(tmp.resolve("root"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createDirectories(root.resolve("img"));
    Files.write(root.resolve("img/a.png"), TestImages.encode(TestImages.synthetic(1, 40, 30), "png"));
    Files.write(root.resolve("img/b.png"), TestImages.encode(TestImages.synthetic(2, 40, 30), "png"));
    // the "secret" outside the folder: a different image, 50 pixels wide
    Files.write(outside.resolve("a.png"), TestImages.encode(TestImages.synthetic(3, 50, 20), "png"));
    Files.write(outside.resolve("b.png"), TestImages.encode(TestImages.synthetic(3, 50, 20), "png"));
    Files.writeString(root.resolve("refs.jsonl"), "");
    in = InputFiles.of(root.resolve("refs.jsonl"));
  }

  @Test
  void aDirectorySwappedForALinkAfterTheCheckIsRefused() throws Exception {
    Path p = in.resolve("img/a.png", 1);
    assertThat(ConfinedPaths.isConfined(p)).isTrue();
    assertThat(LOADER.load(p).getWidth()).isEqualTo(40);
    // the swap: img becomes a link to the outside folder
    Files.move(root.resolve("img"), root.resolve("img-old"));
    Files.createSymbolicLink(root.resolve("img"), outside);
    // the race is real: a plain read of the same path now gets the outside file
    assertThat(javax.imageio.ImageIO.read(p.toFile()).getWidth()).isEqualTo(50);
    assertThatThrownBy(() -> LOADER.load(p)).isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("outside the allowed folder");
  }

  @Test
  void theFileSwappedForALinkAfterTheCheckIsRefused() throws Exception {
    Path p = in.resolve("img/b.png", 2);
    Files.delete(root.resolve("img/b.png"));
    Files.createSymbolicLink(root.resolve("img/b.png"), outside.resolve("b.png"));
    assertThatThrownBy(() -> LOADER.load(p)).isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("outside the allowed folder");
  }

  @Test
  void linksThatStayInsideTheFolderStillWork() throws Exception {
    Files.createSymbolicLink(root.resolve("alias"), root.resolve("img"));
    Files.createSymbolicLink(root.resolve("img/c.png"), root.resolve("img/a.png"));
    Files.createSymbolicLink(root.resolve("relative.png"), Path.of("img/../alias/c.png"));
    for (String written : new String[] {"alias/a.png", "img/c.png", "relative.png", "alias/c.png"}) {
      BufferedImage img = LOADER.load(in.resolve(written, 3));
      assertThat(img.getWidth()).as(written).isEqualTo(40);
    }
    // an inside link re-pointed outside after the check is refused as well
    Path p = in.resolve("alias/a.png", 4);
    Files.delete(root.resolve("alias"));
    Files.createSymbolicLink(root.resolve("alias"), outside);
    assertThatThrownBy(() -> LOADER.load(p)).isInstanceOf(ImageDecodeException.class);
  }

  @Test
  void limitsAndMissingFilesKeepTheirTypedErrors() throws Exception {
    Path p = in.resolve("img/a.png", 1);
    assertThatThrownBy(() -> ImageLoader.withLimits(10_000_000, 100).load(p))
        .isInstanceOf(ImageTooLargeException.class);
    Path gone = in.resolve("img/missing.png", 2);
    assertThatThrownBy(() -> LOADER.load(gone)).isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("no such file");
    // a loop of links inside the folder ends, typed
    Files.createSymbolicLink(root.resolve("loop1"), root.resolve("loop2"));
    Files.createSymbolicLink(root.resolve("loop2"), root.resolve("loop1"));
    Path loop = in.resolve("img/a.png", 3);
    Files.move(root.resolve("img"), root.resolve("img-old"));
    Files.createSymbolicLink(root.resolve("img"), root.resolve("loop1"));
    assertThatThrownBy(() -> LOADER.load(loop)).isInstanceOf(ImageDecodeException.class);
  }

  @Test
  void pathsNotFromAnInputFileAreReadAsBefore() throws Exception {
    Files.createSymbolicLink(tmp.resolve("link-out.png"), outside.resolve("a.png"));
    assertThat(ConfinedPaths.isConfined(tmp.resolve("link-out.png"))).isFalse();
    assertThat(LOADER.load(tmp.resolve("link-out.png")).getWidth()).isEqualTo(50);
  }
}
