"""Provider pages: 服务商申报, 我的产品, 信息变更 and their files (filled in by the provider pages)."""

urlpatterns = []
