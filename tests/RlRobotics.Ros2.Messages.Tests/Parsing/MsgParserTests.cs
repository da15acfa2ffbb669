using RlRobotics.Ros2.Messages.Parsing;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Tests.Parsing;

public sealed class MsgParserTests
{
    private static MessageSchema Parse(string text) => MessageRegistry.CreateDefault().Add("my_pkg", "Thing", text);

    private static MsgParseException Fails(string text, int line)
    {
        var e = Assert.Throws<MsgParseException>(() => Parse(text));
        Assert.Equal("my_pkg/msg/Thing.msg", e.FileName);
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"my_pkg/msg/Thing.msg:{line}: ", e.Message);
        return e;
    }

    [Fact]
    public void ParsesEveryPrimitiveAndCollectionForm()
    {
        var s = Parse("""
            # a comment line

            bool a
            byte b
            char c
            int8 d
            uint8 e
            int16 f
            uint16 g
            int32 h   # trailing comment
            uint32 i
            int64 j
            uint64 k
            float32 l
            float64 m
            string n
            float64[] seq
            float64[3] arr
            int32[<=4] bounded
            string<=10 bstr
            string<=5[<=2] bstrs
            """);
        Assert.Equal(19, s.Fields.Count);
        Assert.Equal(PrimitiveKind.Char, s.Fields[2].Type.Primitive);
        Assert.Equal("float64[]", s.Fields[14].Type.ToString());
        Assert.Equal(new FieldType(PrimitiveKind.Float64, null, 0, CollectionKind.Array, 3), s.Fields[15].Type);
        Assert.Equal(new FieldType(PrimitiveKind.Int32, null, 0, CollectionKind.BoundedSequence, 4), s.Fields[16].Type);
        Assert.Equal(new FieldType(PrimitiveKind.String, null, 10, CollectionKind.None, 0), s.Fields[17].Type);
        Assert.Equal(new FieldType(PrimitiveKind.String, null, 5, CollectionKind.BoundedSequence, 2), s.Fields[18].Type);
        Assert.Equal("my_pkg::msg::dds_::Thing_", s.DdsTypeName);
    }

    [Fact]
    public void ResolvesMessageTypesHeaderAndRos1TimeAndDuration()
    {
        var registry = MessageRegistry.CreateDefault();
        registry.Add("my_pkg", "Inner", "float64 x");
        var s = registry.Add("my_pkg", "Outer", """
            Header header
            Inner same_package
            my_pkg/Inner qualified
            geometry_msgs/msg/Point[] points
            time t
            duration d
            """);
        Assert.Same(registry.Resolve("std_msgs/Header"), s.Fields[0].Type.Nested);
        Assert.Same(registry.Resolve("my_pkg/Inner"), s.Fields[1].Type.Nested);
        Assert.Same(s.Fields[1].Type.Nested, s.Fields[2].Type.Nested);
        Assert.Equal(CollectionKind.Sequence, s.Fields[3].Type.Collection);
        Assert.Equal("geometry_msgs/msg/Point", s.Fields[3].Type.Nested!.FullName);
        Assert.Equal("builtin_interfaces/msg/Time", s.Fields[4].Type.Nested!.FullName);
        Assert.Equal("builtin_interfaces/msg/Duration", s.Fields[5].Type.Nested!.FullName);
    }

    [Fact]
    public void ParsesConstantsAndDefaults()
    {
        var s = Parse("""
            uint8 OK=0
            int32 NEG = -5
            string GREETING="hi # there"
            float64 PI=3.14159
            float64 x 1.5
            string name "quoted # not a comment"
            string bare plain text
            int32[3] arr [1, 2, 3]
            string[] names ["a, b", 'c']
            bool flag true
            """);
        Assert.Equal(["OK", "NEG", "GREETING", "PI"], s.Constants.Select(c => c.Name));
        Assert.Equal("-5", s.Constants[1].Value);
        Assert.Equal("hi # there", s.Constants[2].Value);
        Assert.Equal("1.5", s.Fields[0].Default);
        var m = new Messages.Dynamic.DynamicMessage(s);
        Assert.Equal(1.5, m["x"]);
        Assert.Equal("quoted # not a comment", m["name"]);
        Assert.Equal("plain text", m["bare"]);
        Assert.Equal(new[] { 1, 2, 3 }, m["arr"]);
        Assert.Equal(new[] { "a, b", "c" }, m["names"]);
        Assert.Equal(true, m["flag"]);
    }

    [Fact]
    public void EmptyMessageGetsRosidlsPlaceholderField()
    {
        var s = Parse("# only a comment\n\n");
        var f = Assert.Single(s.Fields);
        Assert.Equal("structure_needs_at_least_one_member", f.Name);
        Assert.Equal(PrimitiveKind.UInt8, f.Type.Primitive);
        Assert.Single(Parse("uint8 A=1").Fields); // constants do not count as members
    }

    [Fact]
    public void ParsesServicesIntoRequestAndResponse()
    {
        var registry = MessageRegistry.CreateDefault();
        var srv = registry.AddService("my_pkg", "Move", "float64 target # m\n---\nbool ok\nstring message\n");
        Assert.Equal("my_pkg::srv::dds_::Move_Request_", srv.Request.DdsTypeName);
        Assert.Equal("my_pkg::srv::dds_::Move_Response_", srv.Response.DdsTypeName);
        Assert.Equal("srv", srv.Request.InterfaceKind);
        Assert.Equal(["ok", "message"], srv.Response.Fields.Select(f => f.Name));
        Assert.Same(srv, registry.ResolveService("my_pkg/srv/Move"));
        Assert.Same(srv.Request, registry.Resolve("my_pkg::srv::dds_::Move_Request_"));
        var e = Assert.Throws<MsgParseException>(() => registry.AddService("my_pkg", "Bad", "int32 a\nint32 b\n"));
        Assert.Contains("'---'", e.Message);
        e = Assert.Throws<MsgParseException>(() => registry.AddService("my_pkg", "Bad2", "---\nint32 a\n---\n"));
        Assert.Equal(3, e.Line);
    }

    [Theory]
    [InlineData("float64 x\nint32\n", 2, "expected 'type name'")]
    [InlineData("float64 Bad\n", 1, "field name 'Bad' is invalid")]
    [InlineData("float64 bad_\n", 1, "field name 'bad_' is invalid")]
    [InlineData("float64 a__b\n", 1, "field name 'a__b' is invalid")]
    [InlineData("float64 _a\n", 1, "field name '_a' is invalid")]
    [InlineData("float64 9a\n", 1, "field name '9a' is invalid")]
    [InlineData("int32 lower=1\n", 1, "constant name 'lower' is invalid")]
    [InlineData("int32 A__B=1\n", 1, "constant name 'A__B' is invalid")]
    [InlineData("int32[] A=1\n", 1, "expected a primitive type")]
    [InlineData("int32 A=\n", 1, "expected a value")]
    [InlineData("uint8 A=256\n", 1, "out of range")]
    [InlineData("wstring s\n", 1, "not supported")]
    [InlineData("float63 x\n", 1, "unknown type 'float63'")]
    [InlineData("float64[0] x\n", 1, "positive integer")]
    [InlineData("float64[x] x\n", 1, "malformed")]
    [InlineData("int32<=5 x\n", 1, "is not a string")]
    [InlineData("a/b/c/D x\n", 1, "malformed")]
    [InlineData("Bad-Pkg/X x\n", 1, "malformed")]
    [InlineData("\n\nint32 x\nint32 x\n", 4, "already declared on line 3")]
    [InlineData("int32 x abc\n", 1, "expected an integer")]
    [InlineData("bool b maybe\n", 1, "expected a bool")]
    [InlineData("int32[2] a [1, 2, 3]\n", 1, "expected 2 elements")]
    [InlineData("int32[<=1] a [1, 2]\n", 1, "at most 1 elements")]
    [InlineData("int32[] a 1, 2\n", 1, "expected a list")]
    [InlineData("string<=3 s toolong\n", 1, "at most 3 bytes")]
    [InlineData("geometry_msgs/Point p 1\n", 1, "cannot have a default")]
    [InlineData("int32 x\n---\nint32 y\n", 2, "not allowed in a .msg")]
    [InlineData("int32 x\nnope/Missing m\n", 2, "unknown type 'nope/Missing'")]
    [InlineData("Missing m\n", 1, "unknown type 'my_pkg/Missing'")]
    public void ReportsEachErrorWithItsLine(string text, int line, string expected)
    {
        Assert.Contains(expected, Fails(text, line).Detail);
    }

    [Fact]
    public void RejectsInvalidPackageAndTypeNames()
    {
        var registry = new MessageRegistry();
        Assert.Contains("package name", Assert.Throws<MsgParseException>(() => registry.Add("Bad", "X", "int32 a")).Message);
        Assert.Contains("type name", Assert.Throws<MsgParseException>(() => registry.Add("ok", "lower", "int32 a")).Message);
    }

    [Fact]
    public void RedefiningAKnownTypeIsAnError()
    {
        var registry = MessageRegistry.CreateDefault();
        var e = Assert.Throws<MsgParseException>(() => registry.Add("std_msgs", "Header", "int32 a"));
        Assert.Contains("already defined", e.Message);
    }
}
