package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Feature schemas per mode and the header every saved scorer model starts with. */
class FeatureSchemaRulesTest {

  private static DataInputStream in(byte[] b) {
    return new DataInputStream(new ByteArrayInputStream(b));
  }

  private static byte[] header(String mode, int count, List<String> names) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeUTF(mode);
    out.writeInt(count);
    for (String n : names) {
      out.writeUTF(n);
    }
    return bytes.toByteArray();
  }

  @Test
  void eachModeHasItsSchema() {
    assertThat(FeatureSchema.of(ScoringMode.GROUPED)).isSameAs(FeatureSchema.GROUPED);
    assertThat(FeatureSchema.of(ScoringMode.PER_MENTION)).isSameAs(FeatureSchema.PER_MENTION);
    assertThat(FeatureSchema.GROUPED.size()).isEqualTo(21);
    assertThat(FeatureSchema.PER_MENTION.size()).isEqualTo(15);
    assertThat(FeatureSchema.GROUPED.indexOf("matchedReferences")).isZero();
    assertThat(FeatureSchema.GROUPED.indexOf("words")).isEqualTo(20);
    assertThat(FeatureSchema.PER_MENTION.indexOf("referenceShare")).isEqualTo(-1);
    List<String> names = new ArrayList<>(List.of("a", "b"));
    FeatureSchema s = new FeatureSchema(ScoringMode.GROUPED, names);
    names.add("c");
    assertThat(s.size()).as("copied").isEqualTo(2);
  }

  @Test
  void aHeaderReadsBackAsTheSchemaItWrote() throws IOException {
    for (FeatureSchema s : List.of(FeatureSchema.GROUPED, FeatureSchema.PER_MENTION)) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      s.write(new DataOutputStream(bytes));
      assertThat(bytes.toByteArray()).isEqualTo(header(s.mode().name(), s.size(), s.names()));
      assertThat(FeatureSchema.read(in(bytes.toByteArray()))).isEqualTo(s);
    }
  }

  @Test
  void aHeaderWithAnImpossibleCountIsRefused() throws IOException {
    assertThatThrownBy(() -> FeatureSchema.read(in(header("GROUPED", 0, List.of()))))
        .isInstanceOf(IOException.class).hasMessageContaining("bad feature count 0");
    assertThatThrownBy(() -> FeatureSchema.read(in(header("GROUPED", 10_001, List.of()))))
        .isInstanceOf(IOException.class).hasMessageContaining("10001");
    assertThat(FeatureSchema.read(in(header("GROUPED", 1, List.of("x")))).names()).containsExactly("x");
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      many.add("f" + i);
    }
    assertThat(FeatureSchema.read(in(header("PER_MENTION", 10_000, many))).size()).isEqualTo(10_000);
    assertThatThrownBy(() -> FeatureSchema.read(in(header("GROUPED", 2, List.of("x")))))
        .isInstanceOf(EOFException.class);
  }

  @Test
  void blocksAreLengthCheckedAndComplete() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(3);
    out.write(new byte[] {7, 8, 9});
    byte[] ok = bytes.toByteArray();
    assertThat(FeatureSchema.readBlock(in(ok), 3)).containsExactly(7, 8, 9);
    assertThatThrownBy(() -> FeatureSchema.readBlock(in(ok), 2)).isInstanceOf(IOException.class)
        .hasMessageContaining("bad block length 3");
    assertThatThrownBy(() -> FeatureSchema.readBlock(in(new byte[] {0, 0, 0, 0}), 5))
        .isInstanceOf(IOException.class).hasMessageContaining("bad block length 0");
    assertThatThrownBy(() -> FeatureSchema.readBlock(in(new byte[] {0, 0, 0, 4, 1, 2}), 5))
        .isInstanceOf(EOFException.class);
    assertThat(FeatureSchema.readBlock(in(new byte[] {0, 0, 0, 1, 42}), 5)).containsExactly(42);
  }

  @Test
  void candidateSetsAndCandidatesAreCopies() {
    List<ReferenceMatch> matches = new ArrayList<>(List.of(new ReferenceMatch(Reference.of("a", "", ""), "k", 1, 1)));
    double[] f = new double[FeatureSchema.PER_MENTION.size()];
    f[0] = 2;
    List<EntityCandidate> cands = new ArrayList<>(List.of(new EntityCandidate("peru", "Peru", FeatureSchema.PER_MENTION,
        f, List.of("a"))));
    CandidateSet set = new CandidateSet(matches, cands);
    matches.clear();
    cands.clear();
    f[0] = 5;
    assertThat(set.matches()).hasSize(1);
    assertThat(set.candidates()).hasSize(1);
    EntityCandidate c = set.candidates().get(0);
    assertThat(c.feature("matchedReferences")).isEqualTo(2);
    c.features()[0] = 9;
    assertThat(c.features()[0]).isEqualTo(2);
    assertThat(c.featureMap()).containsEntry("matchedReferences", 2.0).hasSize(15);
    assertThatThrownBy(() -> c.feature("referenceShare")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EntityCandidate("x", "x", FeatureSchema.GROUPED, f, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 21");
  }
}
