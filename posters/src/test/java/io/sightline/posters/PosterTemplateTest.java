package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.InputFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosterTemplateTest {
  @TempDir
  Path dir;

  private PosterTemplate parse(String json) throws Exception {
    return PosterTemplate.load(TestImages.template(dir, json));
  }

  @Test
  void readsTheArchitectureFormat() throws Exception {
    TestImages.logo(dir);
    PosterTemplate t = parse(TestImages.STORY);
    assertThat(t.name()).isEqualTo("story");
    assertThat(t.width()).isEqualTo(540);
    assertThat(t.height()).isEqualTo(960);
    assertThat(t.fixed()).extracting(FixedLayer::name).containsExactly("logo", "search");
    assertThat(t.fixed().get(0).content()).isInstanceOf(LayerContent.Image.class);
    LayerContent.Image logo = (LayerContent.Image) t.fixed().get(0).content();
    assertThat(logo.image().getColorModel().hasAlpha()).isTrue();
    LayerContent.Text search = (LayerContent.Text) t.fixed().get(1).content();
    assertThat(search.background().getAlpha()).isEqualTo(0x80);
    assertThat(t.floating()).hasSize(1);
    assertThat(t.floating().get(0).width()).isEqualTo(0.6);
    assertThat(t.aspect().value()).isEqualTo(540.0 / 960);
  }

  @Test
  void aspectOverrideKeepsTheWidth() throws Exception {
    TestImages.logo(dir);
    PosterTemplate t = parse(TestImages.STORY).withAspect(AspectRatio.LANDSCAPE_16_9);
    assertThat(t.width()).isEqualTo(540);
    assertThat(t.height()).isEqualTo(304);
    assertThat(t.name()).isEqualTo("story-16x9");
    PosterTemplate s = parse(TestImages.STORY).forScenario(Scenario.FEED_SQUARE);
    assertThat(s.width()).isEqualTo(1080);
    assertThat(s.height()).isEqualTo(1080);
  }

  @Test
  void missingFieldsFailWithTheFieldName() {
    assertThatThrownBy(() -> parse("{\"name\": \"x\", \"height\": 10}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("\"width\"").hasMessageContaining("t.json");
    assertThatThrownBy(() -> parse("{\"width\": 10, \"height\": 10}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("\"name\"");
    assertThatThrownBy(() -> parse("{\"name\":\"x\",\"width\":10,\"height\":10,\"fixed\":[{\"name\":\"a\",\"text\":\"hi\"}]}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("\"box\"");
    assertThatThrownBy(() -> parse("{\"name\":\"x\",\"width\":10,\"height\":10,\"floating\":[{\"name\":\"a\",\"text\":\"hi\","
        + "\"region\":[0,0,1,1]}]}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("\"size\"");
    assertThatThrownBy(() -> parse("{\"name\":\"x\",\"width\":10,\"height\":10,\"fixed\":[{\"name\":\"a\",\"box\":[0,0,1,1]}]}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("exactly one of");
    assertThatThrownBy(() -> parse("{\"name\": \"x\", "))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("not valid JSON");
  }

  @Test
  void layersLargerThanTheCanvasOrOutsideItFail() {
    assertThatThrownBy(() -> parse("{\"name\":\"x\",\"width\":10,\"height\":10,\"fixed\":[{\"name\":\"big\",\"text\":\"hi\","
        + "\"box\":[0,0,1.5,0.5]}]}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("'big'").hasMessageContaining("larger than the canvas");
    assertThatThrownBy(() -> parse("{\"name\":\"x\",\"width\":10,\"height\":10,\"fixed\":[{\"name\":\"off\",\"text\":\"hi\","
        + "\"box\":[0.8,0,0.5,0.5]}]}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("beyond the canvas");
    assertThatThrownBy(() -> parse("{\"name\":\"x\",\"width\":10,\"height\":10,\"floating\":[{\"name\":\"f\",\"text\":\"hi\","
        + "\"region\":[0,0,1,0.5],\"size\":[1.2,0.1]}]}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("larger than the canvas");
    assertThatThrownBy(() -> parse("{\"name\":\"x\",\"width\":10,\"height\":10,\"floating\":[{\"name\":\"f\",\"text\":\"hi\","
        + "\"region\":[0,0,0.5,0.5],\"size\":[0.6,0.1]}]}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("larger than its region");
    assertThatThrownBy(() -> parse("{\"name\":\"x\",\"width\":0,\"height\":10}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("\"width\"");
  }

  @Test
  void missingFontsImagesAndBadColoursFail() {
    assertThatThrownBy(() -> parse("{\"name\":\"x\",\"width\":10,\"height\":10,\"fixed\":[{\"name\":\"t\",\"text\":\"hi\","
        + "\"box\":[0,0,1,1],\"font\":\"No Such Font Family 42\"}]}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("No Such Font Family 42")
        .hasMessageContaining("not installed");
    assertThatThrownBy(() -> parse("{\"name\":\"x\",\"width\":10,\"height\":10,\"fixed\":[{\"name\":\"t\",\"text\":\"hi\","
        + "\"box\":[0,0,1,1],\"fontFile\":\"missing.ttf\"}]}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("missing.ttf");
    assertThatThrownBy(() -> parse("{\"name\":\"x\",\"width\":10,\"height\":10,\"fixed\":[{\"name\":\"i\",\"image\":\"nope.png\","
        + "\"box\":[0,0,1,1]}]}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("nope.png").hasMessageContaining("does not exist");
    assertThatThrownBy(() -> parse("{\"name\":\"x\",\"width\":10,\"height\":10,\"fixed\":[{\"name\":\"t\",\"text\":\"hi\","
        + "\"box\":[0,0,1,1],\"color\":\"red\"}]}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("#RRGGBB");
  }

  @Test
  void aCorruptLayerImageFails() throws Exception {
    Files.write(dir.resolve("bad.png"), new byte[] {1, 2, 3, 4, 5});
    assertThatThrownBy(() -> parse("{\"name\":\"x\",\"width\":10,\"height\":10,\"fixed\":[{\"name\":\"i\",\"image\":\"bad.png\","
        + "\"box\":[0,0,1,1]}]}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("cannot be read");
  }

  @Test
  void fontFilesLoadRealFonts() throws Exception {
    Path ttf = Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(ttf), "DejaVu font not installed");
    Files.copy(ttf, dir.resolve("sans.ttf"));
    PosterTemplate t = parse("{\"name\":\"x\",\"width\":10,\"height\":10,\"fixed\":[{\"name\":\"t\",\"text\":\"hi\","
        + "\"box\":[0,0,1,1],\"fontFile\":\"sans.ttf\"}]}");
    assertThat(((LayerContent.Text) t.fixed().get(0).content()).font().getFamily()).isEqualTo("DejaVu Sans");
    // an absolute font path is refused unless the caller allows its folder
    String abs = "{\"name\":\"x\",\"width\":10,\"height\":10,\"fixed\":[{\"name\":\"t\",\"text\":\"hi\","
        + "\"box\":[0,0,1,1],\"fontFile\":\"" + ttf + "\"}]}";
    assertThatThrownBy(() -> parse(abs)).isInstanceOf(InputFormatException.class).hasMessageContaining("absolute path");
    PosterTemplate wide = PosterTemplate.load(TestImages.template(dir, abs), ttf.getParent());
    assertThat(((LayerContent.Text) wide.fixed().get(0).content()).font().getFamily()).isEqualTo("DejaVu Sans");
  }

  @Test
  void duplicateLayerNamesFail() {
    assertThatThrownBy(() -> parse("{\"name\":\"x\",\"width\":10,\"height\":10,\"fixed\":[{\"name\":\"t\",\"text\":\"a\","
        + "\"box\":[0,0,1,1]},{\"name\":\"t\",\"text\":\"b\",\"box\":[0,0,1,1]}]}"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("used twice");
  }
}
