package io.sightline.core.instance;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_calib3d;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_features2d;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads the OpenCV natives the instance package uses, once, on first use. */
final class OpenCvNatives {
  private static final Logger LOG = LoggerFactory.getLogger(OpenCvNatives.class);

  static {
    Loader.load(opencv_core.class);
    Loader.load(opencv_features2d.class);
    Loader.load(opencv_calib3d.class);
    LOG.debug("OpenCV natives loaded");
  }

  private OpenCvNatives() {}

  static void ensure() {
    // class initialisation does the work
  }
}
