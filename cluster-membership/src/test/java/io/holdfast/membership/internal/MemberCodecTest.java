package io.holdfast.membership.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MemberCodecTest {
  @Test
  void roundTrip_keepsEveryField_includingAwkwardMetadata() {
    MemberInfo info =
        MemberInfo.builder("inventory")
            .id("node-1")
            .host("10.0.0.7")
            .port(8080)
            .metadata("zone", "eu-1")
            .metadata("note", "a=b: c\nd\\e #f !g \u00e9\uD83D\uDD12")
            .build();
    Instant joined = Instant.ofEpochMilli(1_763_776_000_123L);
    Member back = MemberCodec.decode(MemberCodec.encode(info, 42), joined);
    assertThat(back.info()).isEqualTo(info);
    assertThat(back.joinedAt()).isEqualTo(joined);
    assertThat(back.leaderEpoch()).isEqualTo(42);
  }

  @Test
  void encoding_isDeterministic_andVersioned() {
    MemberInfo info = MemberInfo.builder("g").id("i").metadata("b", "2").metadata("a", "1").build();
    String payload = MemberCodec.encode(info, 0);
    assertThat(MemberCodec.encode(info, 0)).isEqualTo(payload);
    assertThat(payload).contains("format=holdfast-member/1").doesNotContain("#");
  }

  @Test
  void unknownFormat_isRejected_unknownKeysIgnored() {
    assertThatThrownBy(() -> MemberCodec.decode("format=other/9\n", Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holdfast-member/1");
    String future =
        MemberCodec.encode(MemberInfo.builder("g").id("i").build(), 0) + "someNewField=x\n";
    assertThat(MemberCodec.decode(future, Instant.EPOCH).id()).isEqualTo("i");
  }
}
