"""The portal's published content over the API: columns, article feeds (with nationwide notices), details.

Public like the portal itself; every query runs in the host's tenant schema, so a page id means this tenant's page."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.rich_text import expand_db_html

from cms.models import ArticlePage, Column, ColumnIndexPage
from cms.sanitize import sanitise_rendered_html
from cms.selectors import column_feed, nationwide_notice


class FeedItemSerializer(serializers.Serializer):
    title = serializers.CharField()
    date = serializers.DateField()
    url = serializers.CharField()
    summary = serializers.CharField()
    issuer = serializers.CharField()
    nationwide = serializers.BooleanField(help_text=_("国家平台发布的全国性通知"))


class AttachmentSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()


class DetailSerializer(serializers.Serializer):
    """What an own article and a nationwide notice share."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    date = serializers.DateField()
    issuer = serializers.CharField()
    summary = serializers.CharField()
    body = serializers.CharField(help_text=_("已净化的 HTML"))
    attachments = AttachmentSerializer(many=True)


class ColumnListView(APIView):
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        column = serializers.CharField()
        title = serializers.CharField()
        url = serializers.CharField()

    @extend_schema(responses=OutputSerializer(many=True), summary="门户栏目")
    def get(self, request):
        indexes = ColumnIndexPage.objects.live().public().order_by("path")
        rows = [{"id": i.pk, "column": i.column, "title": i.title, "url": i.get_url(request)} for i in indexes]
        return Response(self.OutputSerializer(rows, many=True).data)


class ArticleListView(APIView):
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField()
        page = serializers.IntegerField()
        pages = serializers.IntegerField()
        results = FeedItemSerializer(many=True)

    @extend_schema(
        parameters=[
            OpenApiParameter("column", OpenApiTypes.STR, enum=list(Column.values), description="栏目，默认通知公告"),
            OpenApiParameter("q", OpenApiTypes.STR, description="搜索词"),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses=OutputSerializer,
        summary="栏目文章列表（通知公告含全国性通知）",
    )
    def get(self, request):
        column = request.query_params.get("column", Column.NOTICES)
        if column not in Column.values:
            raise serializers.ValidationError({"column": [_("没有这个栏目。")]})  # the API's one error shape
        index = ColumnIndexPage.objects.live().public().filter(column=column).order_by("path").first()
        if index is None:
            raise Http404(_("本平台没有这个栏目。"))
        query = request.query_params.get("q", "").replace("\x00", "").strip()[:100]  # no NUL in PostgreSQL text
        feed = column_feed(index, request, query=query, page_number=request.query_params.get("page"))
        data = {
            "count": feed.paginator.count,
            "page": feed.number,
            "pages": feed.paginator.num_pages,
            "results": [item.__dict__ for item in feed.object_list],
        }
        return Response(self.OutputSerializer(data).data)


class ArticleDetailView(APIView):
    permission_classes = [AllowAny]

    class OutputSerializer(DetailSerializer):
        kind = serializers.CharField()
        url = serializers.CharField()
        nationwide = serializers.BooleanField()

    @extend_schema(responses=OutputSerializer, summary="文章详情")
    def get(self, request, pk):
        page = ArticlePage.objects.live().public().filter(pk=pk).first()
        if page is None:
            raise Http404(_("该文章不存在或未发布。"))
        base = request.build_absolute_uri("/")
        data = {
            "id": page.pk,
            "title": page.title,
            "date": page.date,
            "issuer": page.issuer,
            "kind": page.kind,
            "summary": page.summary,
            "body": sanitise_rendered_html(expand_db_html(page.body), base),
            "url": page.get_url(request),
            "nationwide": page.nationwide,
            "attachments": [
                {"title": item.label, "url": item.document.url} for item in page.attachments.select_related("document")
            ],
        }
        return Response(self.OutputSerializer(data).data)


class NationwideNoticeDetailView(APIView):
    permission_classes = [AllowAny]

    class OutputSerializer(DetailSerializer):
        source = serializers.CharField(source="source.name")
        source_url = serializers.CharField()

    @extend_schema(responses=OutputSerializer, summary="全国性通知详情")
    def get(self, request, pk):
        notice = nationwide_notice(pk)
        if notice is None:
            raise Http404(_("该通知不存在或已撤下。"))
        return Response(self.OutputSerializer(notice).data)
