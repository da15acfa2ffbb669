using RlRobotics.Mqtt.Topics;

namespace RlRobotics.Mqtt.Tests;

public class TopicFilterTests
{
    [Theory]
    [InlineData("a/b", "a/b", true)]
    [InlineData("a/+", "a/b", true)]
    [InlineData("a/+", "a/b/c", false)]
    [InlineData("a/+/c", "a/b/c", true)]
    [InlineData("+/+", "/a", true)]        // empty first level is a level
    [InlineData("+", "/a", false)]
    [InlineData("a/#", "a", true)]         // '#' also matches the parent
    [InlineData("a/#", "a/b/c", true)]
    [InlineData("a/#", "ab", false)]
    [InlineData("#", "a/b", true)]
    [InlineData("a/b/#", "a/b/", true)]
    [InlineData("a/+", "a/", true)]
    [InlineData("A/b", "a/b", false)]      // case-sensitive
    [InlineData("#", "$SYS/broker/uptime", false)]  // wildcard-first filters never match '$' topics
    [InlineData("+/broker/uptime", "$SYS/broker/uptime", false)]
    [InlineData("$SYS/#", "$SYS/broker/uptime", true)]
    [InlineData("$SYS/+/uptime", "$SYS/broker/uptime", true)]
    [InlineData("a/#", "a/$b", true)]      // the rule is about the first character only
    public void Matches_follows_the_spec(string filter, string topic, bool expected) =>
        Assert.Equal(expected, MqttTopicFilter.Matches(filter, topic));

    [Theory]
    [InlineData("a/#/b")]
    [InlineData("a#")]
    [InlineData("a/b+")]
    [InlineData("++")]
    [InlineData("")]
    [InlineData("a\0b")]
    public void Invalid_filters_are_refused_with_the_reason(string filter)
    {
        Assert.False(MqttTopicFilter.IsValidFilter(filter));
        var e = Assert.Throws<ArgumentException>(() => MqttTopicFilter.ValidateFilter(filter));
        Assert.Contains("topic filter", e.Message);
    }

    [Theory]
    [InlineData("a/+")]
    [InlineData("#")]
    [InlineData("")]
    [InlineData("a\0")]
    public void Invalid_topic_names_are_refused(string topic)
    {
        Assert.False(MqttTopicFilter.IsValidTopicName(topic));
        Assert.Throws<ArgumentException>(() => MqttTopicFilter.ValidateTopicName(topic));
        Assert.Throws<ArgumentException>(() => new MqttApplicationMessageBuilder().WithTopic(topic).Build());
    }

    [Fact]
    public void Lone_surrogates_cannot_be_encoded_and_are_refused()
    {
        string lone = "a" + (char)0xD800;
        Assert.False(MqttTopicFilter.IsValidFilter(lone));
        Assert.False(MqttTopicFilter.IsValidTopicName(lone));
    }

    [Fact]
    public void Valid_filters_and_names_pass()
    {
        foreach (var f in new[] { "#", "+", "a/+/b", "a/#", "/", "+/+", "$SYS/#", "ü/+" }) Assert.True(MqttTopicFilter.IsValidFilter(f), f);
        foreach (var t in new[] { "a", "/", "a/b/c", "$SYS/x", "ü" }) Assert.True(MqttTopicFilter.IsValidTopicName(t), t);
    }
}
