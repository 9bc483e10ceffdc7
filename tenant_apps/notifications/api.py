"""我的消息 over the API: the list (paginated, filterable), mark one read, mark all read."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.response import Response

from tenant_apps.notifications import services
from tenant_apps.notifications.models import Message
from tenant_apps.notifications.selectors import access_message, messages_of, unread_count
from tenant_apps.organisations.api_access import ScopedAPIView


class MessageSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", help_text="类别的中文名称")
    is_read = serializers.BooleanField(help_text="是否已读")

    class Meta:
        model = Message
        fields = ["id", "category", "category_label", "title", "body", "link", "created_at", "read_at", "is_read"]


class MessageFilters(serializers.Serializer):
    category = serializers.ChoiceField(choices=Message.Category.choices, required=False, help_text="消息类别")
    unread = serializers.BooleanField(required=False, allow_null=True, help_text="true：只看未读；false：只看已读")


class UnreadSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text="本次标为已读的条数")
    unread = serializers.IntegerField(help_text="剩余未读条数")


class MessageListView(mixins.ListModelMixin, ScopedAPIView):
    serializer_class = MessageSerializer

    def scoped_queryset(self, membership):
        filters = MessageFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        # Messages belong to the person (membership.user_id): the signed-in user, without loading it again.
        return messages_of(self.request.user, category=data.get("category"), unread=data.get("unread"))

    @extend_schema(summary="我的消息", parameters=[MessageFilters])
    def get(self, request):
        return self.list(request)


class MessageReadView(ScopedAPIView):
    serializer_class = MessageSerializer

    def scoped_queryset(self, membership):
        return messages_of(self.request.user)

    @extend_schema(request=None, responses=MessageSerializer, summary="将一条消息标为已读")
    def post(self, request, pk):
        message = access_message(request.user, pk)  # someone else's message, or none, is 404
        if message.read_at is None:
            services.message_mark_read(user=request.user, message_id=message.pk)
            message.refresh_from_db(fields=["read_at"])
        return Response(MessageSerializer(message).data)


class MessagesReadAllView(ScopedAPIView):
    serializer_class = UnreadSerializer

    class InputSerializer(serializers.Serializer):
        category = serializers.ChoiceField(
            choices=Message.Category.choices, required=False, help_text="只将该类别标为已读；不填为全部"
        )

    def scoped_queryset(self, membership):
        return messages_of(self.request.user)

    @extend_schema(request=InputSerializer, responses=UnreadSerializer, summary="将全部消息标为已读")
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changed = services.messages_mark_all_read(user=request.user, category=payload.validated_data.get("category"))
        return Response(UnreadSerializer({"changed": changed, "unread": unread_count(request.user)}).data)
