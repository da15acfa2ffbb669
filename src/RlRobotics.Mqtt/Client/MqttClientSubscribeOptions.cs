namespace RlRobotics.Mqtt;

/// <summary>One topic filter and the QoS asked for it.</summary>
/// <param name="Topic">The topic filter ('+' and '#' allowed).</param>
/// <param name="QualityOfServiceLevel">Highest QoS the broker should deliver with.</param>
public sealed record MqttSubscription(string Topic, MqttQualityOfServiceLevel QualityOfServiceLevel = MqttQualityOfServiceLevel.AtMostOnce);

/// <summary>A SUBSCRIBE request: one or more filters, sent in one packet.</summary>
public sealed class MqttClientSubscribeOptions
{
    /// <summary>The filters, in the order the SUBACK codes come back.</summary>
    public List<MqttSubscription> TopicFilters { get; } = [];
}

/// <summary>Builds <see cref="MqttClientSubscribeOptions"/>.</summary>
public sealed class MqttClientSubscribeOptionsBuilder
{
    private readonly MqttClientSubscribeOptions _options = new();

    /// <summary>Adds a filter.</summary>
    public MqttClientSubscribeOptionsBuilder WithTopicFilter(string topic, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtMostOnce)
    {
        _options.TopicFilters.Add(new MqttSubscription(topic, qos));
        return this;
    }

    /// <summary>Validates and returns the request.</summary>
    public MqttClientSubscribeOptions Build()
    {
        if (_options.TopicFilters.Count == 0) throw new ArgumentException("subscribe: at least one topic filter is required");
        foreach (var f in _options.TopicFilters) Topics.MqttTopicFilter.ValidateFilter(f.Topic);
        return _options;
    }
}

/// <summary>SUBACK return codes (MQTT 3.1.1 section 3.9.3).</summary>
public enum MqttClientSubscribeResultCode : byte
{
    /// <summary>Granted at QoS 0.</summary>
    GrantedQoS0 = 0,
    /// <summary>Granted at QoS 1.</summary>
    GrantedQoS1 = 1,
    /// <summary>Granted at QoS 2.</summary>
    GrantedQoS2 = 2,
    /// <summary>0x80: refused (mosquitto: the ACL denies reading the filter).</summary>
    UnspecifiedError = 0x80,
}

/// <summary>The broker's answer for one filter.</summary>
/// <param name="TopicFilter">The filter asked for.</param>
/// <param name="ResultCode">Granted QoS or failure.</param>
public sealed record MqttClientSubscribeResultItem(MqttSubscription TopicFilter, MqttClientSubscribeResultCode ResultCode);

/// <summary>SUBACK, one item per requested filter in request order.</summary>
/// <param name="Items">The per-filter answers.</param>
public sealed record MqttClientSubscribeResult(IReadOnlyList<MqttClientSubscribeResultItem> Items);

/// <summary>An UNSUBSCRIBE request.</summary>
public sealed class MqttClientUnsubscribeOptions
{
    /// <summary>The filters to remove (exactly as subscribed).</summary>
    public List<string> TopicFilters { get; } = [];
}

/// <summary>Builds <see cref="MqttClientUnsubscribeOptions"/>.</summary>
public sealed class MqttClientUnsubscribeOptionsBuilder
{
    private readonly MqttClientUnsubscribeOptions _options = new();

    /// <summary>Adds a filter.</summary>
    public MqttClientUnsubscribeOptionsBuilder WithTopicFilter(string topic) { _options.TopicFilters.Add(topic); return this; }

    /// <summary>Validates and returns the request.</summary>
    public MqttClientUnsubscribeOptions Build()
    {
        if (_options.TopicFilters.Count == 0) throw new ArgumentException("unsubscribe: at least one topic filter is required");
        foreach (var f in _options.TopicFilters) Topics.MqttTopicFilter.ValidateFilter(f);
        return _options;
    }
}

/// <summary>UNSUBACK received (MQTT 3.1.1 carries no per-filter codes).</summary>
/// <param name="TopicFilters">The filters that were removed.</param>
public sealed record MqttClientUnsubscribeResult(IReadOnlyList<string> TopicFilters);

/// <summary>The outcome of a publish: for QoS 1 the PUBACK, for QoS 2 the PUBCOMP, arrived; QoS 0 was written to the socket.</summary>
/// <param name="PacketIdentifier">The packet id used (0 for QoS 0).</param>
/// <param name="QualityOfServiceLevel">The QoS it was sent with.</param>
public sealed record MqttClientPublishResult(ushort PacketIdentifier, MqttQualityOfServiceLevel QualityOfServiceLevel);
