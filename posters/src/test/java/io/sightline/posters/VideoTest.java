package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.CancelledException;
import io.sightline.core.ImageDecodeException;
import io.sightline.core.ProgressListener;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_videoio.VideoWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Video input: the test writes its own short MJPG/AVI clip with OpenCV's built-in writer. */
class VideoTest {
  @TempDir
  static Path dir;
  static Path video;

  /** Writes {@code seconds} of 640x360 video at 10 fps; a face moves left to right. */
  static Path writeClip(Path file, int seconds) {
    int fps = 10;
    try (VideoWriter w = new VideoWriter(file.toString(), VideoWriter.fourcc((byte) 'M', (byte) 'J', (byte) 'P', (byte) 'G'),
        fps, new Size(640, 360), true)) {
      assertThat(w.isOpened()).as("OpenCV MJPG writer").isTrue();
      for (int i = 0; i < seconds * fps; i++) {
        BufferedImage f = TestImages.wideWithFaceAt(640, 360, 20 + i * 400 / (seconds * fps), 90, 180);
        try (Mat m = CvImages.toBgr(f)) {
          w.write(m);
        }
      }
    }
    return file;
  }

  @BeforeAll
  static void clip() {
    video = writeClip(dir.resolve("clip.avi"), 3);
  }

  @Test
  void probesAndSamplesFrames() {
    VideoFrames.Info info = VideoFrames.probe(video);
    assertThat(info.width()).isEqualTo(640);
    assertThat(info.height()).isEqualTo(360);
    assertThat(info.fps()).isEqualTo(10.0);
    assertThat(info.frameCount()).isEqualTo(30);
    List<VideoFrames.Frame> frames = new ArrayList<>();
    int n = VideoFrames.sample(video, 1.0, 100, CancellationToken.NONE, frames::add);
    assertThat(n).isEqualTo(3);
    assertThat(frames).extracting(VideoFrames.Frame::index).containsExactly(0L, 10L, 20L);
    assertThat(frames.get(2).seconds()).isEqualTo(2.0);
    assertThat(frames.get(0).image().getWidth()).isEqualTo(640);
  }

  @Test
  void makesPostersFromFramesAndKeepsTheBest() throws Exception {
    TestImages.logo(dir);
    PosterTemplate story = PosterTemplate.load(TestImages.template(dir, TestImages.STORY));
    PosterComposer c = PosterComposer.builder().template(story).build();
    List<Long> progress = new ArrayList<>();
    ProgressListener pl = (task, done, total, msg) -> progress.add(done);
    ComposeResult r = c.composeVideo(video, "https://example.com/v/clip", 1.0, 10, 2, pl, CancellationToken.NONE);
    assertThat(r.analyses()).hasSize(3);
    assertThat(progress).containsExactly(1L, 2L, 3L);
    assertThat(r.kept()).hasSize(2);
    assertThat(r.dropped()).isNotEmpty();
    assertThat(r.dropped()).anySatisfy(p -> assertThat(p.score().reason()).contains("best"));
    for (Poster p : r.kept()) {
      assertThat(p.frameSeconds()).isIn(0.0, 1.0, 2.0);
      assertThat(p.crop().targets()).hasSize(1);
      assertThat(PosterWriter.stem(p)).startsWith("clip-story-t");
    }
    assertThat(r.kept().get(0).score().total()).isGreaterThanOrEqualTo(r.kept().get(1).score().total());
  }

  @Test
  void unreadableVideosFailClearly() throws Exception {
    Path junk = Files.write(dir.resolve("junk.avi"), new byte[] {0, 1, 2, 3, 4, 5, 6, 7});
    assertThatThrownBy(() -> VideoFrames.probe(junk)).isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("junk.avi");
    assertThatThrownBy(() -> VideoFrames.sample(dir.resolve("none.avi"), 1, 1, CancellationToken.NONE, f -> { }))
        .isInstanceOf(ImageDecodeException.class).hasMessageContaining("does not exist");
    PosterComposer c = PosterComposer.builder().template(new PosterTemplate("t", 90, 160, List.of(), List.of())).build();
    assertThatThrownBy(() -> c.composeVideo(junk, null, 1, 5, 1, ProgressListener.NONE, CancellationToken.NONE))
        .isInstanceOf(ImageDecodeException.class);
  }

  @Test
  void cancellationStopsTheWork() {
    CancellationToken token = new CancellationToken();
    List<VideoFrames.Frame> got = new ArrayList<>();
    assertThatThrownBy(() -> VideoFrames.sample(video, 0.1, 100, token, f -> {
      got.add(f);
      if (got.size() == 2) {
        token.cancel();
      }
    })).isInstanceOf(CancelledException.class);
    assertThat(got).hasSize(2);
  }
}
