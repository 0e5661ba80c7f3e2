package io.sightline.core.image;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

/** Child process of {@link ImageLoaderTest}: loads each argument and prints "name WxH" or "name error ...". */
public final class LoadImagesMain {
  private LoadImagesMain() {}

  public static void main(String[] args) {
    for (String a : args) {
      Path p = Path.of(a);
      try {
        BufferedImage img = ImageLoader.defaults().load(p);
        System.out.println(p.getFileName() + " " + img.getWidth() + "x" + img.getHeight());
      } catch (RuntimeException e) {
        System.out.println(p.getFileName() + " error " + e.getMessage());
      }
    }
  }
}
